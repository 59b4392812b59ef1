package registry

import (
	"go-micro.dev/v5/cmd"
	mregistry "go-micro.dev/v5/registry"

	"github.com/microreg/microreg/internal/face"
	"github.com/microreg/microreg/micro5/internal/face5"
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

// backends is the table; each backend also goes into go-micro's
// cmd.DefaultRegistries, in place of go-micro's registry of the same
// name, as a registry that, if it cannot start, answers every call with
// the reason and tries again at Init (go-micro's factories return no
// error).
var backends = face.Table[Registry, Option]{
	Also: func(name string, f face.Factory[Registry, Option]) {
		cmd.DefaultRegistries[name] = face5.GoMicroFactory(name, f)
		if mregistry.DefaultRegistry.String() == name {
			mregistry.DefaultRegistry = renamedDefault{mregistry.DefaultRegistry}
		}
	},
}

// renamedDefault is go-micro v5's default registry (its own mdns), left
// as it is but for its name. go-micro's cmd switches registry only when
// --registry (or MICRO_REGISTRY) differs from the current registry's
// String(), and a service starts with the default: under its own name
// "mdns", --registry=mdns would keep go-micro's, never microreg's. With
// neither flag nor variable, a service still runs on go-micro's mdns, as
// before, which its server and client captured when go-micro started.
type renamedDefault struct{ mregistry.Registry }

// String tells go-micro's cmd that this is not the backend --registry
// names.
func (r renamedDefault) String() string { return r.Registry.String() + " (go-micro's default)" }

// Register makes a backend available by name, in this package's table and
// in go-micro's cmd.DefaultRegistries (so --registry=NAME and
// MICRO_REGISTRY=NAME find it). Backends call it from init(). Like
// database/sql's Register it panics if the name is empty, the factory is
// nil, or the name is already taken: those are programming errors found at
// start-up.
func Register(name string, factory Factory) { backends.Register(name, factory) }

// Backends returns the names of the registered backends, sorted.
func Backends() []string { return backends.Backends() }

// New builds the backend registered under name. An unknown name is an
// error wrapping ErrUnknownBackend that lists the names known.
func New(name string, opts ...Option) (Registry, error) {
	return backends.New("github.com/microreg/microreg/micro5", name, opts...)
}
