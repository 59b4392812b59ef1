package consul_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/micro5/consul"
	"github.com/microreg/microreg/micro5/registry"
	"github.com/microreg/microreg/micro5/registry/registrytest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, append(registrytest.GoMicroGoroutines(), goleak.IgnoreCurrent())...)
}

// TestConformance runs the suite on the v5 face of the consul backend,
// against a real dev agent: every instance a registry of its own.
func TestConformance(t *testing.T) {
	agent := consultest.StartDev(t)
	registrytest.Run(t, func(t *testing.T) *registrytest.World {
		return &registrytest.World{
			Name: consul.Name,
			TTL:  2 * time.Second,
			Ops:  400,
			New: func(t *testing.T) registry.Registry {
				return consul.NewRegistry(registry.Addrs(agent.HTTPAddr))
			},
		}
	})
}
