package face

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/microreg/microreg/engine"
)

// Factory builds a face's registry R from the face's options, or says why
// it cannot start.
type Factory[R, Opt any] func(opts ...Opt) (R, error)

// Table is a face's backends by name, as database/sql's drivers: each
// backend registers from init; New builds one by name.
type Table[R, Opt any] struct {
	mu       sync.RWMutex
	backends map[string]Factory[R, Opt]
	// Also is called with each backend registered, under the table's
	// lock: the face fills its go-micro's own table there.
	Also func(name string, f Factory[R, Opt])
}

// Register makes a backend available by name. Like database/sql's
// Register it panics if the name is empty, the factory nil, or the name
// taken: programming errors found at start-up.
func (t *Table[R, Opt]) Register(name string, factory Factory[R, Opt]) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if name == "" {
		panic("registry: Register with an empty backend name")
	}
	if factory == nil {
		panic("registry: Register backend " + name + " with a nil factory")
	}
	if _, dup := t.backends[name]; dup {
		panic("registry: Register called twice for backend " + name)
	}
	if t.backends == nil {
		t.backends = map[string]Factory[R, Opt]{}
	}
	t.backends[name] = factory
	if t.Also != nil {
		t.Also(name, factory)
	}
}

// Backends returns the names of the registered backends, sorted.
func (t *Table[R, Opt]) Backends() []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	names := make([]string, 0, len(t.backends))
	for name := range t.backends {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// New builds the backend registered under name. An unknown name is an
// error wrapping engine.ErrUnknownBackend that lists the names known;
// importPath is the face's, for the hint when none is linked in.
func (t *Table[R, Opt]) New(importPath, name string, opts ...Opt) (R, error) {
	t.mu.RLock()
	factory, ok := t.backends[name]
	t.mu.RUnlock()
	if !ok {
		var none R
		known := t.Backends()
		hint := "none is linked in; blank-import one, e.g. _ \"" + importPath + "/memory\""
		if len(known) > 0 {
			hint = "known: " + strings.Join(known, ", ")
		}
		return none, fmt.Errorf("%w %q (%s)", engine.ErrUnknownBackend, name, hint)
	}
	return factory(opts...)
}
