package bench

import (
	"net"
	"strconv"
	"testing"
	"time"

	plugin "github.com/go-micro/plugins/v4/registry/gossip"

	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

// freePort returns a loopback port free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
}

// TestRivalConformanceGossip runs the conformance suite against go-micro's
// gossip plugin (a seed node, every instance joined through it) and
// reports the cases it fails.
func TestRivalConformanceGossip(t *testing.T) {
	world := func(t *testing.T) *registrytest.World {
		seedAddr := freePort(t)
		seed := plugin.NewRegistry(plugin.Address(seedAddr))
		return &registrytest.World{
			Wait: 4 * time.Second, TTL: time.Second, Ops: 200,
			Close: func() { registry.Close(seed) },
			New: func(t *testing.T) registry.Registry {
				return withTTL{plugin.NewRegistry(plugin.Address(freePort(t)), registry.Addrs(seedAddr))}
			},
		}
	}
	if IsRivalChild() {
		registrytest.Run(t, world)
		return
	}
	if testing.Short() {
		t.Skip("the rival report runs one process per case; run it without -short")
	}
	outcomes := RivalConformance(t, "TestRivalConformanceGossip", 90*time.Second)
	if len(outcomes) != len(registrytest.Cases()) {
		t.Fatalf("report covers %d of %d cases", len(outcomes), len(registrytest.Cases()))
	}
	LogOutcomes(t, "go-micro gossip plugin", outcomes)
}

// withTTL registers with an hour's TTL when the caller gives none: the
// plugin refuses a Register without one ("Require register TTL or
// interval"), and go-micro's server always passes one, so without this
// shim every case would fail on that alone.
type withTTL struct{ registry.Registry }

func (w withTTL) Register(s *registry.Service, opts ...registry.RegisterOption) error {
	var o registry.RegisterOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.TTL == 0 {
		opts = append(opts, registry.RegisterTTL(time.Hour))
	}
	return w.Registry.Register(s, opts...)
}
