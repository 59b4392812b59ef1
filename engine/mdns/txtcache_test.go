package mdns

import (
	"errors"
	"fmt"
	"testing"

	"github.com/microreg/microreg/engine"
)

func TestTXTCacheDecodesOnceAndKeepsOnlyGoodData(t *testing.T) {
	s := &engine.Service{Name: "cached", Version: "1", Nodes: []*engine.Node{{Id: "n", Address: "127.0.0.1:1"}}}
	txt, err := encodeTXT(s)
	if err != nil {
		t.Fatal(err)
	}
	var c txtCache
	first, ours, err := c.decode(txt)
	if err != nil || !ours || first.Service.Name != "cached" || first.Service.Nodes[0].Id != "n" {
		t.Fatalf("decode: %+v %v %v", first, ours, err)
	}
	again, _, _ := c.decode(append([]string(nil), txt...))
	if again.Service != first.Service {
		t.Fatal("the same TXT was decoded again instead of coming from the cache")
	}

	bad := []string{txtMarker, "d00=!!!"}
	for i := 0; i < 2; i++ {
		if _, ours, err := c.decode(bad); !ours || !errors.Is(err, ErrBadTXT) {
			t.Fatalf("bad TXT, try %d: ours %v, err %v; want ErrBadTXT", i, ours, err)
		}
	}
	if _, ours, err := c.decode([]string{"path=/"}); ours || err != nil {
		t.Fatalf("someone else's TXT: ours %v, err %v", ours, err)
	}
	if len(c.m) != 1 {
		t.Fatalf("cache holds %d entries, want only the good one", len(c.m))
	}

	for i := 0; i < 2*txtCacheSize; i++ {
		s.Nodes[0].Id = fmt.Sprint("n", i)
		txt, err := encodeTXT(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.decode(txt); err != nil {
			t.Fatal(err)
		}
		if len(c.m) > txtCacheSize {
			t.Fatalf("cache grew to %d entries, bound %d", len(c.m), txtCacheSize)
		}
	}
}
