package gossip_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/microreg/microreg/micro5/gossip"
	"github.com/microreg/microreg/micro5/registry"
	"github.com/microreg/microreg/micro5/registry/registrytest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, append(registrytest.GoMicroGoroutines(), goleak.IgnoreCurrent())...)
}

// TestConformance runs the suite on the v5 face of the gossip backend: a
// seed node and every instance another member joined through it.
func TestConformance(t *testing.T) {
	registrytest.Run(t, func(t *testing.T) *registrytest.World {
		seed, err := gossip.New(gossip.BindAddress("127.0.0.1", 0))
		if err != nil {
			t.Fatal(err)
		}
		addr, _ := seed.LocalAddr()
		return &registrytest.World{
			Close: func() { registry.Close(seed) },
			Name:  gossip.Name,
			TTL:   time.Second,
			Ops:   1000,
			New: func(t *testing.T) registry.Registry {
				r, err := gossip.New(gossip.BindAddress("127.0.0.1", 0), registry.Addrs(addr))
				if err != nil {
					t.Fatal(err)
				}
				return r
			},
		}
	})
}
