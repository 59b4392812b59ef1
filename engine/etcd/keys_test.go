package etcd

import (
	"errors"
	"testing"
	"time"

	"github.com/microreg/microreg/engine"
)

// The rivals' keys: path.Join of the prefix, the service and the node id,
// "/" in either made "-".
func TestNodeKey(t *testing.T) {
	for _, c := range []struct{ service, id, want string }{
		{"greeter", "greeter-1", "/micro/registry/greeter/greeter-1"},
		{"go.micro.srv/billing", "n/1", "/micro/registry/go.micro.srv-billing/n-1"},
		{"a b", "é", "/micro/registry/a b/é"},
	} {
		if got := nodeKey(DefaultPrefix, c.service, c.id); got != c.want {
			t.Errorf("nodeKey(%q, %q) = %q, want %q", c.service, c.id, got, c.want)
		}
	}
}

func TestDecodeNode(t *testing.T) {
	s := &engine.Service{Name: "x", Version: "1", Metadata: map[string]string{"k": "v"}}
	n := &engine.Node{Id: "x-1", Address: "127.0.0.1:1", Metadata: map[string]string{"a": "b"}}
	b, err := encodeNode(s, n)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeNode(b)
	if err != nil || got.Name != "x" || len(got.Nodes) != 1 || got.Nodes[0].Id != "x-1" || got.Metadata["k"] != "v" {
		t.Fatalf("decodeNode(encodeNode) = %+v, %v", got, err)
	}
	for _, bad := range []string{``, `{`, `null`, `{"name":"x"}`, `{"name":"","nodes":[{"id":"a"}]}`, `{"name":"x","nodes":[null,{"id":""}]}`} {
		if _, err := decodeNode([]byte(bad)); !errors.Is(err, errBadValue) {
			t.Errorf("decodeNode(%q): %v, want errBadValue", bad, err)
		}
	}
}

func TestSettings(t *testing.T) {
	for _, o := range []engine.Option{Prefix("micro"), Prefix("/micro"), LeaseTTL(0), engine.Timeout(-time.Second), Auth("u", "")} {
		if _, err := New(o); !errors.Is(err, ErrConfig) {
			t.Errorf("New with a bad option: %v, want ErrConfig", err)
		}
	}
	if got := endpoints([]string{"10.0.0.1", "[::1]", "h:1", "https://e:2379", ""}); len(got) != 4 || got[0] != "10.0.0.1:2379" || got[1] != "[::1]:2379" || got[2] != "h:1" || got[3] != "https://e:2379" {
		t.Errorf("endpoints = %q", got)
	}
	t.Setenv("ETCD_ENDPOINTS", "a:1,b:2")
	if got := endpoints(nil); len(got) != 2 || got[1] != "b:2" {
		t.Errorf("endpoints from ETCD_ENDPOINTS = %q", got)
	}
}

// FuzzDecodeNode: whatever a key holds, decoding it is an error or a
// registration with a name and nodes with ids, never a panic.
func FuzzDecodeNode(f *testing.F) {
	f.Add([]byte(`{"name":"x","version":"1","nodes":[{"id":"x-1","address":"127.0.0.1:1"}]}`))
	f.Add([]byte(`{"name":"x","nodes":[null]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeNode(b)
		if err != nil {
			return
		}
		if s.Name == "" || len(s.Nodes) == 0 {
			t.Fatalf("decoded %+v", s)
		}
		for _, n := range s.Nodes {
			if n == nil || n.Id == "" {
				t.Fatalf("decoded a node without an id: %+v", s)
			}
		}
	})
}
