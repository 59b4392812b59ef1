package memory

import (
	"github.com/microreg/microreg/engine"
	ememory "github.com/microreg/microreg/engine/memory"
	"github.com/microreg/microreg/internal/face"
	"github.com/microreg/microreg/micro5/internal/face5"
	"github.com/microreg/microreg/micro5/registry"
)

// Name is the backend's name in the registry table and String().
const Name = ememory.Name

func init() { registry.Register(Name, registry.FactoryOf(New)) }

// Registry is the memory backend. Its methods are go-micro's
// registry.Registry, plus Close.
type Registry struct {
	face5.Registry
}

// NewRegistry returns an empty in-process registry (or one preloaded with
// Services), in go-micro's factory shape: a preloaded service that is not
// valid, or another backend's option, is logged and left out. Its TTL
// reaper runs until registry.Close.
func NewRegistry(opts ...registry.Option) registry.Registry {
	return wrap(ememory.Open(face5.NewOptions(opts)...))
}

func wrap(e *ememory.Registry) *Registry { return &Registry{face5.New(e)} }

// New is NewRegistry that says when it fails: an error if a preloaded
// service is not valid (and no registry, its reaper stopped).
func New(opts ...registry.Option) (*Registry, error) {
	return face.Built(wrap)(ememory.New(face5.NewOptions(opts)...))
}

// Services preloads the registry with services, by name, as go-micro's
// memory registry option of the same name does. Preloaded services never
// expire. They are loaded by NewRegistry (or New) and again by Init,
// merged with what is there.
func Services(s map[string][]*registry.Service) registry.Option {
	e := make(map[string][]*engine.Service, len(s))
	for name, versions := range s {
		e[name] = face5.EngineServices(versions)
	}
	return face5.Option(ememory.Services(e))
}
