package mdns_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/microreg/microreg/internal/netns"
	"github.com/microreg/microreg/micro5/mdns"
	"github.com/microreg/microreg/micro5/registry"
	"github.com/microreg/microreg/micro5/registry/registrytest"
)

func TestMain(m *testing.M) {
	netns.Run(m, func(m *testing.M) {
		goleak.VerifyTestMain(m, append(registrytest.GoMicroGoroutines(), goleak.IgnoreCurrent())...)
	})
}

// TestConformance runs the suite on the v5 face of the mdns backend, every
// instance a registry with its own sockets on lo, in a private network
// namespace.
func TestConformance(t *testing.T) {
	registrytest.Run(t, func(t *testing.T) *registrytest.World {
		return &registrytest.World{
			Name: mdns.Name,
			TTL:  2 * time.Second,
			Ops:  400,
			New: func(t *testing.T) registry.Registry {
				r, err := mdns.New(mdns.Interface("lo"), mdns.TTL(2*time.Second))
				if err != nil {
					t.Fatal(err)
				}
				return r
			},
		}
	})
}
