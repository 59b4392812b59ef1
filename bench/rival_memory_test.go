package bench

import (
	"testing"
	"time"

	mregistry "go-micro.dev/v4/registry"
	mregistry5 "go-micro.dev/v5/registry"

	"github.com/microreg/microreg/memory"
	registrytest5 "github.com/microreg/microreg/micro5/registry/registrytest"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

// TestRivalConformanceMemory runs the conformance suite against go-micro's
// built-in memory registry and reports the cases it fails; the rival's
// failures are findings, not failures of this test. It also runs our
// memory backend the same way, which must pass every case.
func TestRivalConformanceMemory(t *testing.T) {
	gomicro := func(t *testing.T) *registrytest.World {
		r := mregistry.NewMemoryRegistry()
		return &registrytest.World{New: func(*testing.T) registry.Registry { return r }, Wait: 3 * time.Second, TTL: time.Second, Ops: 500}
	}
	if IsRivalChild() {
		registrytest.Run(t, gomicro)
		return
	}
	if testing.Short() {
		t.Skip("the rival report runs one process per case; run it without -short")
	}
	outcomes := RivalConformance(t, "TestRivalConformanceMemory", time.Minute)
	if len(outcomes) != len(registrytest.Cases()) {
		t.Fatalf("report covers %d of %d cases", len(outcomes), len(registrytest.Cases()))
	}
	if LogOutcomes(t, "go-micro memory", outcomes) == 0 {
		t.Error("go-micro's memory registry passed every case: the suite no longer tells the registries apart")
	}
}

// TestRivalConformanceMemoryV5 is TestRivalConformanceMemory for go-micro
// v5's memory registry, through the v5 face's suite.
func TestRivalConformanceMemoryV5(t *testing.T) {
	gomicro := func(t *testing.T) *registrytest5.World {
		r := mregistry5.NewMemoryRegistry()
		return &registrytest5.World{New: func(*testing.T) mregistry5.Registry { return r }, Wait: 3 * time.Second, TTL: time.Second, Ops: 500}
	}
	if IsRivalChild() {
		registrytest5.Run(t, gomicro)
		return
	}
	if testing.Short() {
		t.Skip("the rival report runs one process per case; run it without -short")
	}
	outcomes := RivalConformance(t, "TestRivalConformanceMemoryV5", time.Minute)
	if len(outcomes) != len(registrytest.Cases()) {
		t.Fatalf("report covers %d of %d cases", len(outcomes), len(registrytest.Cases()))
	}
	LogOutcomes(t, "go-micro v5 memory", outcomes)
}

// TestOursPassesInTheSameHarness checks the report harness itself: our
// memory backend, run through it, passes every case.
func TestOursPassesInTheSameHarness(t *testing.T) {
	ours := func(t *testing.T) *registrytest.World {
		r := memory.NewRegistry()
		return &registrytest.World{New: func(*testing.T) registry.Registry { return r }, Wait: 3 * time.Second, TTL: time.Second, Ops: 500}
	}
	if IsRivalChild() {
		registrytest.Run(t, ours)
		return
	}
	if testing.Short() {
		t.Skip("the report harness runs one process per case; run it without -short")
	}
	outcomes := RivalConformance(t, "TestOursPassesInTheSameHarness", time.Minute)
	if failed := LogOutcomes(t, "microreg memory", outcomes); failed != 0 {
		t.Fatalf("microreg memory fails %d cases in the report harness", failed)
	}
}
