package etcd_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/microreg/microreg/internal/etcdtest"
	"github.com/microreg/microreg/micro5/etcd"
	"github.com/microreg/microreg/micro5/registry"
	"github.com/microreg/microreg/micro5/registry/registrytest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, append(registrytest.GoMicroGoroutines(), goleak.IgnoreCurrent())...)
}

// TestConformance runs the suite on the v5 face of the etcd backend,
// against one real etcd member: every instance a registry of its own.
func TestConformance(t *testing.T) {
	m := etcdtest.Start(t)
	registrytest.Run(t, func(t *testing.T) *registrytest.World {
		return &registrytest.World{
			Name: etcd.Name,
			TTL:  2 * time.Second,
			Ops:  400,
			New: func(t *testing.T) registry.Registry {
				return etcd.NewRegistry(registry.Addrs(m.Addr))
			},
		}
	})
}
