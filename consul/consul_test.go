package consul_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, append(registrytest.GoMicroGoroutines(), goleak.IgnoreCurrent())...)
}

// TestConformance runs the suite against a real dev agent: every instance
// is a separate registry (its own HTTP client, views and heartbeats) on
// the same agent.
func TestConformance(t *testing.T) {
	registrytest.Run(t, world(consultest.StartDev(t)))
}

// TestSoak churns under watchers (MICROREG_SOAK=60s for the long run).
func TestSoak(t *testing.T) {
	registrytest.Soak(t, world(consultest.StartDev(t)), registrytest.SoakConfig{Rate: 100})
}

func world(agent *consultest.Agent) registrytest.Factory {
	return func(t *testing.T) *registrytest.World {
		return &registrytest.World{
			Name: consul.Name,
			TTL:  2 * time.Second,
			Ops:  400,
			New: func(t *testing.T) registry.Registry {
				return consul.NewRegistry(registry.Addrs(agent.HTTPAddr))
			},
		}
	}
}
