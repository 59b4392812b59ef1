package memory_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/microreg/microreg/micro5/memory"
	"github.com/microreg/microreg/micro5/registry"
	"github.com/microreg/microreg/micro5/registry/registrytest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, append(registrytest.GoMicroGoroutines(), goleak.IgnoreCurrent())...)
}

// TestConformance runs the suite on the v5 face of the memory backend.
func TestConformance(t *testing.T) {
	registrytest.Run(t, func(t *testing.T) *registrytest.World {
		clock := registrytest.NewFakeClock()
		r := memory.NewRegistry(memory.Clock(clock))
		return &registrytest.World{
			Name:  memory.Name,
			Clock: clock,
			New:   func(*testing.T) registry.Registry { return r },
		}
	})
}
