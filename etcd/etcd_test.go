package etcd_test

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/microreg/microreg/etcd"
	"github.com/microreg/microreg/internal/etcdtest"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, append(registrytest.GoMicroGoroutines(), goleak.IgnoreCurrent())...)
}

// TestConformance runs the suite against one real etcd member: every
// instance is a separate registry (its own client, lease and view).
func TestConformance(t *testing.T) {
	registrytest.Run(t, world(etcdtest.Start(t)))
}

// TestSoak churns under watchers (MICROREG_SOAK=60s for the long run).
func TestSoak(t *testing.T) {
	registrytest.Soak(t, world(etcdtest.Start(t)), registrytest.SoakConfig{Rate: 100})
}

func world(m *etcdtest.Member) registrytest.Factory {
	return func(t *testing.T) *registrytest.World {
		return &registrytest.World{
			Name: etcd.Name,
			TTL:  2 * time.Second,
			Ops:  400,
			New: func(t *testing.T) registry.Registry {
				return etcd.NewRegistry(registry.Addrs(m.Addr))
			},
		}
	}
}
