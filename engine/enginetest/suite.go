// Package enginetest is the conformance suite, on the engine's types: the
// spec every microreg backend meets, whichever go-micro face it is used
// through. Faces run it through their own suites (for go-micro v4,
// github.com/microreg/microreg/registry/registrytest), which hand it their
// registries turned back into engine.Registry, so each face's conversions
// are tested both ways. An engine backend may run it directly:
//
//	func TestConformance(t *testing.T) {
//		enginetest.Run(t, func(t *testing.T) *enginetest.World {
//			return &enginetest.World{New: func(t *testing.T) engine.Registry {
//				return mybackend.Open()
//			}}
//		})
//	}
//
// The suite writes on one instance of the world and reads and watches on
// another, waiting on conditions (never a fixed sleep), so networked
// backends are tested across nodes. It checks go-micro's semantics and the
// stricter ones microreg promises: deep copies, updates that spread,
// watchers that never lose a change, TTL expiry with a delete event,
// honoured contexts, validated input and no goroutine left behind.
package enginetest

import (
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/internal/wait"
	"go.uber.org/goleak"
)

// World is what a backend gives the suite: a way to build instances that
// see each other.
type World struct {
	// New returns an instance of the world (a node of a cluster, a client
	// of a server). What one instance registers, every other one sees,
	// after a delay for networked backends. A backend with a single
	// in-process store may return the same registry every time. The
	// suite closes each instance (its Close method, if it has one) when the test ends.
	New func(t *testing.T) engine.Registry
	// Clock, when set, is the clock every instance measures TTLs on; the
	// suite advances it instead of waiting for TTLs to run out.
	Clock *FakeClock
	// Wait bounds how long the suite waits for a change to show on
	// another instance. Default 10s.
	Wait time.Duration
	// TTL is the TTL used by the expiry tests when Clock is nil; it must
	// be one the backend honours. Default 2s.
	TTL time.Duration
	// Ops is how many random operations the watch replay test makes.
	// Default 2000.
	Ops int
	// Name, when set, must equal every instance's String().
	Name string
	// Goroutines names goroutines the leak checks ignore: those a
	// framework starts when its packages are imported and never ends
	// (see registrytest.GoMicroGoroutines).
	Goroutines []goleak.Option
	// Close, when set, releases what the world holds besides its
	// instances (a seed node, a server). The suite calls it when the case
	// ends, after closing the instances.
	Close func()
}

// Of is a World of a face's registries R: what a face's own suite
// (registrytest) is given, turned into a World by Adapt.
type Of[R any] struct {
	// New returns an instance of the world, as World.New.
	New func(t *testing.T) R
	// Clock, Wait, TTL, Ops, Name and Close are World's.
	Clock *FakeClock
	Wait  time.Duration
	TTL   time.Duration
	Ops   int
	Name  string
	Close func()
}

// Adapt turns a face's world factory into the suite's: each instance seen
// through toEngine (the face the other way round), and the face's
// framework's goroutines ignored by the leak checks.
func Adapt[R comparable](factory func(t *testing.T) *Of[R], toEngine func(R) engine.Registry, goroutines []goleak.Option) Factory {
	return func(t *testing.T) *World {
		w := factory(t)
		if w == nil || w.New == nil {
			t.Fatal("registrytest: the factory returned no World.New")
		}
		return &World{
			New: func(t *testing.T) engine.Registry {
				var none R
				r := w.New(t)
				if r == none {
					return nil
				}
				return toEngine(r)
			},
			Clock: w.Clock, Wait: w.Wait, TTL: w.TTL, Ops: w.Ops, Name: w.Name, Close: w.Close,
			Goroutines: goroutines,
		}
	}
}

// Factory builds a fresh World for one subtest.
type Factory func(t *testing.T) *World

// Run runs every conformance case against the worlds factory builds, each
// case as a subtest with a world of its own.
func Run(t *testing.T, factory Factory) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.run(newEnv(t, factory))
		})
	}
}

// Cases returns the names of the conformance cases, in the order Run runs
// them.
func Cases() []string {
	names := make([]string, len(cases))
	for i, c := range cases {
		names[i] = c.name
	}
	return names
}

type testCase struct {
	name string
	run  func(e *env)
}

// env is one case's world: a writer instance a, a reader instance b.
type env struct {
	t       *testing.T
	factory Factory
	world   *World
	a, b    engine.Registry
	prefix  string
}

func newEnv(t *testing.T, factory Factory) *env {
	w := factory(t)
	if w == nil || w.New == nil {
		t.Fatal("enginetest: the factory returned no World.New")
	}
	if w.Wait == 0 {
		w.Wait = 10 * time.Second
	}
	if w.TTL == 0 {
		w.TTL = 2 * time.Second
	}
	if w.Ops == 0 {
		w.Ops = 2000
	}
	if w.Close != nil {
		t.Cleanup(w.Close) // cleanups run last-in first-out: after the instances close
	}
	e := &env{t: t, factory: factory, world: w, prefix: fmt.Sprintf("rt%06d", rand.IntN(1000000))}
	e.a = e.instance()
	e.b = e.instance()
	return e
}

// instance builds one more instance, closed when the test ends.
func (e *env) instance() engine.Registry {
	r := e.world.New(e.t)
	if r == nil {
		e.t.Fatal("enginetest: World.New returned nil")
	}
	e.t.Cleanup(func() {
		if err := closeRegistry(r); err != nil {
			e.t.Errorf("Close: %v", err)
		}
	})
	return r
}

// name returns a service name unique to this run, so backends that share
// state across worlds (a real Consul agent) never see another case's
// services.
func (e *env) name(base string) string { return e.prefix + "-" + base }

// eventually polls cond until it returns nil or the world's Wait runs out.
func (e *env) eventually(what string, cond func() error) {
	e.t.Helper()
	wait.Until(e.t, e.world.Wait, what, cond)
}

// advance moves the world's fake clock, if it has one, and reports
// whether it did.
func (e *env) advance(d time.Duration) bool {
	if e.world.Clock == nil {
		return false
	}
	e.world.Clock.Advance(d)
	return true
}

// closeRegistry stops r's goroutines, if it has a Close method (every
// microreg backend does; go-micro's interface has none).
func closeRegistry(r engine.Registry) error {
	if c, ok := r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
