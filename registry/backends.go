package registry

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"go-micro.dev/v4/util/cmd"
)

// Factory builds a registry backend. It has the shape of go-micro's
// cmd.DefaultRegistries entries: go-micro calls it with no options and
// passes --registry_address later through Init(Addrs(...)).
type Factory = func(opts ...Option) Registry

var (
	backendsMu sync.RWMutex
	backends   = map[string]Factory{}
)

// Register makes a backend available by name, in this package's table and
// in go-micro's cmd.DefaultRegistries (so --registry=NAME and
// MICRO_REGISTRY=NAME find it). Backends call it from init(). Like
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
	cmd.DefaultRegistries[name] = factory
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
	return factory(opts...), nil
}
