// Package registrytest is the conformance suite every microreg backend,
// and any third-party go-micro v4 registry, runs:
//
//	func TestConformance(t *testing.T) {
//		registrytest.Run(t, func(t *testing.T) *registrytest.World {
//			return &registrytest.World{New: func(t *testing.T) registry.Registry {
//				return mybackend.NewRegistry()
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
//
// The cases themselves are the engine's (engine/enginetest): this package
// hands them the registry through go-micro v4's types, so they test the
// face as well as the backend.
package registrytest

import (
	"testing"
	"time"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/engine/enginetest"
	"github.com/microreg/microreg/internal/face4"
	"github.com/microreg/microreg/registry"
)

// World is what a backend gives the suite: a way to build instances that
// see each other.
type World struct {
	// New returns an instance of the world (a node of a cluster, a client
	// of a server). What one instance registers, every other one sees,
	// after a delay for networked backends. A backend with a single
	// in-process store may return the same registry every time. The
	// suite closes each instance (registry.Close) when the test ends.
	New func(t *testing.T) registry.Registry
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
	// Close, when set, releases what the world holds besides its
	// instances (a seed node, a server). The suite calls it when the case
	// ends, after closing the instances.
	Close func()
}

// Factory builds a fresh World for one subtest.
type Factory func(t *testing.T) *World

// Run runs every conformance case against the worlds factory builds, each
// case as a subtest with a world of its own.
func Run(t *testing.T, factory Factory) { enginetest.Run(t, engineFactory(factory)) }

// Cases returns the names of the conformance cases, in the order Run runs
// them.
func Cases() []string { return enginetest.Cases() }

// SoakDurationEnv names the environment variable that sets how long Soak
// churns (a Go duration, e.g. "60s"); unset, it runs SoakConfig.Duration.
const SoakDurationEnv = enginetest.SoakDurationEnv

// SoakConfig sets a soak run's load.
type SoakConfig = enginetest.SoakConfig

// Soak churns on one instance of the world at a fixed rate for a while,
// with a watch-all and a per-service watcher running on another, and then
// checks that nothing was lost or invented, that every goroutine started
// during the run has ended once the watchers stop and the instances close,
// and that the heap stayed flat (see enginetest.Soak).
func Soak(t *testing.T, factory Factory, cfg SoakConfig) {
	enginetest.Soak(t, engineFactory(factory), cfg)
}

// FakeClock is a registry.Clock that moves only when Advance is called,
// so TTL expiry can be tested without sleeping.
type FakeClock = enginetest.FakeClock

// NewFakeClock returns a FakeClock set to a fixed instant.
func NewFakeClock() *FakeClock { return enginetest.NewFakeClock() }

// engineFactory is factory as the engine suite's: each instance seen
// through face4.Engine, and go-micro's own goroutines ignored.
func engineFactory(factory Factory) enginetest.Factory {
	return func(t *testing.T) *enginetest.World {
		w := factory(t)
		if w == nil || w.New == nil {
			t.Fatal("registrytest: the factory returned no World.New")
		}
		return &enginetest.World{
			New: func(t *testing.T) engine.Registry {
				r := w.New(t)
				if r == nil {
					return nil
				}
				return face4.Engine(r)
			},
			Clock: w.Clock, Wait: w.Wait, TTL: w.TTL, Ops: w.Ops, Name: w.Name, Close: w.Close,
			Goroutines: GoMicroGoroutines(),
		}
	}
}
