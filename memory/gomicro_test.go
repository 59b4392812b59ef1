package memory_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"go-micro.dev/v4/registry/cache"

	"github.com/microreg/microreg/memory"
	"github.com/microreg/microreg/registry"
)

// TestGoMicroCacheFollowsWatch checks that go-micro's own registry cache
// (what its selector uses) stays right by applying microreg's watch
// events: a node joining, a node leaving, a node changing address.
func TestGoMicroCacheFollowsWatch(t *testing.T) {
	r := memory.NewRegistry()
	defer registry.Close(r)
	if err := r.Register(svc("c", "1", "n1")); err != nil {
		t.Fatal(err)
	}
	watching := make(chan struct{})
	c := cache.New(&watchSignal{Registry: r, watching: watching})
	defer c.Stop()
	nodes := func() string {
		got, err := c.GetService("c")
		if err != nil || len(got) == 0 {
			return fmt.Sprint(err)
		}
		out := ""
		for _, n := range got[0].Nodes {
			out += n.Id + "@" + n.Address + " "
		}
		return out
	}
	wait := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for nodes() != want {
			if time.Now().After(deadline) {
				t.Fatalf("cache holds %q, want %q", nodes(), want)
			}
			time.Sleep(5 * time.Millisecond) // polling interval
		}
	}
	wait("n1@127.0.0.1:8080 ")
	// The cache starts its watcher after the first lookup, in the
	// background: changes made before that are not its to see.
	select {
	case <-watching:
	case <-time.After(5 * time.Second):
		t.Fatal("the cache never started watching")
	}
	if err := r.Register(svc("c", "1", "n2")); err != nil {
		t.Fatal(err)
	}
	wait("n2@127.0.0.1:8080 n1@127.0.0.1:8080 ")
	if err := r.Deregister(svc("c", "1", "n1")); err != nil {
		t.Fatal(err)
	}
	wait("n2@127.0.0.1:8080 ")
	moved := svc("c", "1", "n2")
	moved.Nodes[0].Address = "127.0.0.1:9090"
	if err := r.Register(moved); err != nil {
		t.Fatal(err)
	}
	wait("n2@127.0.0.1:9090 ")
}

// watchSignal closes watching once the first watcher has been created.
type watchSignal struct {
	registry.Registry
	watching chan struct{}
	once     sync.Once
}

func (w *watchSignal) Watch(opts ...registry.WatchOption) (registry.Watcher, error) {
	wt, err := w.Registry.Watch(opts...)
	w.once.Do(func() { close(w.watching) })
	return wt, err
}
