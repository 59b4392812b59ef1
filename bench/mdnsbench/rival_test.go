package mdnsbench

import (
	"testing"
	"time"

	mregistry "go-micro.dev/v4/registry"

	"github.com/microreg/microreg/bench"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

// TestRivalConformanceMDNS runs the conformance suite against go-micro's
// built-in mDNS registry, inside this package's private namespace, and
// reports the cases it fails.
func TestRivalConformanceMDNS(t *testing.T) {
	world := func(t *testing.T) *registrytest.World {
		return &registrytest.World{Wait: 3 * time.Second, TTL: time.Second, Ops: 100,
			New: func(*testing.T) registry.Registry { return mregistry.NewRegistry() }}
	}
	if bench.IsRivalChild() {
		registrytest.Run(t, world)
		return
	}
	if testing.Short() {
		t.Skip("the rival report runs one process per case; run it without -short")
	}
	outcomes := bench.RivalConformance(t, "TestRivalConformanceMDNS", 2*time.Minute)
	if len(outcomes) != len(registrytest.Cases()) {
		t.Fatalf("report covers %d of %d cases", len(outcomes), len(registrytest.Cases()))
	}
	bench.LogOutcomes(t, "go-micro mdns", outcomes)
}
