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

	"github.com/microreg/microreg/engine/enginetest"
	"github.com/microreg/microreg/internal/face4"
	mregistry "go-micro.dev/v4/registry"
)

// World is what a backend gives the suite: a way to build instances that
// see each other (see enginetest.World for each field). New returns an
// instance; what one instance registers, every other one sees, after a
// delay for networked backends. The suite closes each instance
// (registry.Close) when the test ends.
type World = enginetest.Of[mregistry.Registry]

// Factory builds a fresh World for one subtest.
type Factory = func(t *testing.T) *World

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

func engineFactory(factory Factory) enginetest.Factory {
	return enginetest.Adapt(factory, face4.Engine, GoMicroGoroutines())
}
