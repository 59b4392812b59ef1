package memory_test

import (
	"errors"
	"testing"

	"go.uber.org/goleak"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/internal/face4"
	"github.com/microreg/microreg/memory"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

func TestMain(m *testing.M) {
	// go-micro's packages start goroutines at import that never end.
	goleak.VerifyTestMain(m, append(registrytest.GoMicroGoroutines(), goleak.IgnoreCurrent())...)
}

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

func TestConformanceRealClock(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-clock run waits for TTLs; -short runs the fake-clock suite only")
	}
	registrytest.Run(t, realClockWorld)
}

func realClockWorld(t *testing.T) *registrytest.World {
	r := memory.NewRegistry()
	return &registrytest.World{Name: memory.Name, New: func(*testing.T) registry.Registry { return r }, TTL: 300e6}
}

// TestSoak churns under watchers (MICROREG_SOAK=60s for the long run).
func TestSoak(t *testing.T) {
	registrytest.Soak(t, realClockWorld, registrytest.SoakConfig{Rate: 1000})
}

func svc(name, version string, ids ...string) *registry.Service {
	s := &registry.Service{Name: name, Version: version}
	for _, id := range ids {
		s.Nodes = append(s.Nodes, &registry.Node{Id: id, Address: "127.0.0.1:8080"})
	}
	return s
}

// TestEventSequence pins the exact events a single in-process registry
// emits, in order: no coalescing happens while the queue has room.
func TestEventSequence(t *testing.T) {
	r := memory.NewRegistry()
	defer registry.Close(r)
	w, err := r.Watch()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	steps := []struct {
		do     func() error
		action string
		nodes  int
	}{
		{func() error { return r.Register(svc("a", "1", "n1")) }, "create", 1},
		{func() error { return r.Register(svc("a", "1", "n2")) }, "update", 1},
		{func() error { return r.Register(svc("a", "1", "n2")) }, "", 0}, // unchanged: no event
		{func() error { return r.Deregister(svc("a", "1", "n1")) }, "delete", 1},
		{func() error { return r.Register(svc("a", "2", "n3")) }, "create", 1},
		{func() error { return r.Deregister(svc("a", "1", "n2")) }, "delete", 1},
		{func() error { return r.Deregister(svc("a", "2", "n3")) }, "delete", 1},
	}
	for i, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	for i, s := range steps {
		if s.action == "" {
			continue
		}
		res, err := w.Next()
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if res.Action != s.action || len(res.Service.Nodes) != s.nodes {
			t.Fatalf("step %d: got %s with %d nodes, want %s with %d", i, res.Action, len(res.Service.Nodes), s.action, s.nodes)
		}
	}
	if _, err := r.GetService("a"); err != registry.ErrNotFound { //nolint:errorlint // identity promised
		t.Fatalf("GetService after the last node left: %v", err)
	}
}

// TestOverflowCoalesces fills a tiny watcher queue and checks that the
// watcher then gets the net change, not a stale or partial view.
func TestOverflowCoalesces(t *testing.T) {
	r := memory.NewRegistry(memory.WatchQueue(2))
	defer registry.Close(r)
	w, err := r.Watch()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	for _, id := range []string{"n1", "n2", "n3", "n4", "n5"} {
		if err := r.Register(svc("a", "1", id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Deregister(svc("a", "1", "n5")); err != nil {
		t.Fatal(err)
	}
	var view []*registry.Service
	var actions []string
	for len(actions) < 3 {
		res, err := w.Next()
		if err != nil {
			t.Fatal(err)
		}
		actions = append(actions, res.Action)
		view = face4.Services(engine.Replay(face4.EngineServices(view), face4.EngineResult(res)))
	}
	want := []string{"create", "update", "update"}
	for i := range want {
		if actions[i] != want[i] {
			t.Fatalf("actions %v, want %v", actions, want)
		}
	}
	if len(view) != 1 || len(view[0].Nodes) != 4 {
		t.Fatalf("replayed view has %d versions, nodes %v; want n1..n4", len(view), view)
	}
}

func TestServicesPreload(t *testing.T) {
	r := memory.NewRegistry(memory.Services(map[string][]*registry.Service{
		"pre": {svc("pre", "1", "p1")},
	}))
	defer registry.Close(r)
	got, err := r.GetService("pre")
	if err != nil || len(got) != 1 || got[0].Nodes[0].Id != "p1" {
		t.Fatalf("preloaded service: %v, %v", got, err)
	}
	if err := r.Init(memory.Services(map[string][]*registry.Service{"late": {svc("late", "1", "l1")}})); err != nil {
		t.Fatal(err)
	}
	if _, err := r.GetService("late"); err != nil {
		t.Fatalf("service preloaded by Init: %v", err)
	}
}

func TestClosedRegistryRejectsWrites(t *testing.T) {
	r := memory.NewRegistry()
	if err := registry.Close(r); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(svc("a", "1", "n1")); !errors.Is(err, registry.ErrClosed) {
		t.Fatalf("Register after Close: %v, want ErrClosed", err)
	}
	if _, err := r.Watch(); !errors.Is(err, registry.ErrClosed) {
		t.Fatalf("Watch after Close: %v, want ErrClosed", err)
	}
}

func TestRegisteredByName(t *testing.T) {
	r, err := registry.New("memory")
	if err != nil {
		t.Fatal(err)
	}
	defer registry.Close(r)
	if r.String() != "memory" {
		t.Fatalf("String() = %q", r.String())
	}
}

func TestNewSaysWhenAPreloadedServiceIsInvalid(t *testing.T) {
	bad := map[string][]*registry.Service{"bad": {{Name: "bad"}}}
	if r, err := memory.New(memory.Services(bad)); !errors.Is(err, registry.ErrInvalidService) || r != nil {
		t.Fatalf("New with an invalid preloaded service: %v, %v; want no registry and ErrInvalidService", r, err)
	}
	good := map[string][]*registry.Service{"good": {{Name: "good", Nodes: []*registry.Node{{Id: "g-1", Address: "127.0.0.1:1"}}}}}
	r, err := memory.New(memory.Services(good))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Init(memory.Services(bad)); !errors.Is(err, registry.ErrInvalidService) {
		t.Fatalf("Init with an invalid preloaded service: %v", err)
	}
	if s, err := r.GetService("good"); err != nil || len(s) != 1 {
		t.Fatalf("the valid preloaded service: %v, %v", s, err)
	}
}
