package mdnsbench

import (
	"testing"
	"time"

	mregistry "go-micro.dev/v4/registry"
	mregistry5 "go-micro.dev/v5/registry"

	"github.com/microreg/microreg/bench"
	registrytest5 "github.com/microreg/microreg/micro5/registry/registrytest"
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

// TestRivalConformanceMDNSV5 is TestRivalConformanceMDNS for go-micro v5's
// mDNS registry, through the v5 face's suite.
func TestRivalConformanceMDNSV5(t *testing.T) {
	world := func(t *testing.T) *registrytest5.World {
		return &registrytest5.World{Wait: 3 * time.Second, TTL: time.Second, Ops: 100,
			New: func(*testing.T) mregistry5.Registry { return mregistry5.NewMDNSRegistry() }}
	}
	if bench.IsRivalChild() {
		registrytest5.Run(t, world)
		return
	}
	if testing.Short() {
		t.Skip("the rival report runs one process per case; run it without -short")
	}
	outcomes := bench.RivalConformance(t, "TestRivalConformanceMDNSV5", 2*time.Minute)
	if len(outcomes) != len(registrytest.Cases()) {
		t.Fatalf("report covers %d of %d cases", len(outcomes), len(registrytest.Cases()))
	}
	bench.LogOutcomes(t, "go-micro v5 mdns", outcomes)
}
