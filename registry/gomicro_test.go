package registry_test

import (
	"errors"
	"strings"
	"testing"

	"go-micro.dev/v4/util/cmd"

	"github.com/microreg/microreg/memory"
	"github.com/microreg/microreg/registry"
)

// errNeedsAddrs is the startup error of the backend below.
var errNeedsAddrs = errors.New("needs an address")

func init() {
	// A backend that cannot start without an address, as a gossip node
	// whose port is taken cannot until Init gives it another.
	registry.Register("needs-addrs", func(opts ...registry.Option) (registry.Registry, error) {
		if len(registry.NewOptions(opts...).Addrs) == 0 {
			return nil, errNeedsAddrs
		}
		return memory.New(opts...)
	})
}

// In go-micro's own table, a backend that cannot start is a registry that
// answers every call with the reason and starts at the Init that lets it;
// by name, registry.New returns the reason at once.
func TestGoMicroTableRetriesAtInit(t *testing.T) {
	if _, err := registry.New("needs-addrs"); !errors.Is(err, errNeedsAddrs) {
		t.Fatalf("registry.New: %v, want the startup error", err)
	}
	r := cmd.DefaultRegistries["needs-addrs"]()
	defer registry.Close(r)
	if r.String() != "needs-addrs" {
		t.Fatalf("String() = %q: go-micro would not keep it for --registry=needs-addrs", r.String())
	}
	_, err := r.GetService("greeter")
	if !errors.Is(err, registry.ErrNotStarted) || !errors.Is(err, errNeedsAddrs) || !strings.Contains(err.Error(), "needs-addrs") {
		t.Fatalf("a call before it started: %v, want ErrNotStarted with the reason and the backend's name", err)
	}
	if err := r.Init(registry.Timeout(1)); !errors.Is(err, errNeedsAddrs) {
		t.Fatalf("Init that cannot start it: %v", err)
	}
	if err := r.Init(registry.Addrs("127.0.0.1:1")); err != nil {
		t.Fatalf("Init that starts it: %v", err)
	}
	s := &registry.Service{Name: "greeter", Version: "1", Nodes: []*registry.Node{{Id: "g-1", Address: "127.0.0.1:9"}}}
	if err := r.Register(s); err != nil {
		t.Fatalf("Register once started: %v", err)
	}
	if got, err := r.GetService("greeter"); err != nil || len(got) != 1 {
		t.Fatalf("GetService once started: %v, %v", got, err)
	}
	if got := r.Options(); got.Timeout != 1 || len(got.Addrs) != 1 {
		t.Fatalf("the started backend lost options given before it started: %+v", got)
	}
}
