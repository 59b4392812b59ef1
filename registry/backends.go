package registry

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"go-micro.dev/v4/util/cmd"
)

// Factory builds a registry backend, or says why it cannot start (a port
// taken, no multicast interface, a bad key or configuration): New,
// FromArgs and FromEnv return that reason. Each backend's
// registry.FactoryOf(New) is one.
type Factory = func(opts ...Option) (Registry, error)

// FactoryOf makes a Factory of a backend's New, which returns its concrete
// type: on an error the Factory returns a nil Registry, never a typed nil.
func FactoryOf[R Registry](newBackend func(opts ...Option) (R, error)) Factory {
	return func(opts ...Option) (Registry, error) {
		r, err := newBackend(opts...)
		if err != nil {
			return nil, err
		}
		return r, nil
	}
}

var (
	backendsMu sync.RWMutex
	backends   = map[string]Factory{}
)

// Register makes a backend available by name, in this package's table and
// in go-micro's cmd.DefaultRegistries (so --registry=NAME and
// MICRO_REGISTRY=NAME find it; see goMicroFactory for how a backend that
// cannot start looks there). Backends call it from init(). Like
// database/sql's Register it panics if the name is empty, the factory is
// nil, or the name is already taken: those are programming errors found at
// start-up.
func Register(name string, factory Factory) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	if name == "" {
		panic("registry: Register with an empty backend name")
	}
	if factory == nil {
		panic("registry: Register backend " + name + " with a nil factory")
	}
	if _, dup := backends[name]; dup {
		panic("registry: Register called twice for backend " + name)
	}
	backends[name] = factory
	cmd.DefaultRegistries[name] = goMicroFactory(name, factory)
}

// Backends returns the names of the registered backends, sorted.
func Backends() []string {
	backendsMu.RLock()
	defer backendsMu.RUnlock()
	names := make([]string, 0, len(backends))
	for name := range backends {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// New builds the backend registered under name. An unknown name is an
// error wrapping ErrUnknownBackend that lists the names known.
func New(name string, opts ...Option) (Registry, error) {
	backendsMu.RLock()
	factory, ok := backends[name]
	backendsMu.RUnlock()
	if !ok {
		known := Backends()
		hint := "none is linked in; blank-import one, e.g. _ \"github.com/microreg/microreg/memory\""
		if len(known) > 0 {
			hint = "known: " + strings.Join(known, ", ")
		}
		return nil, fmt.Errorf("%w %q (%s)", ErrUnknownBackend, name, hint)
	}
	return factory(opts...)
}
