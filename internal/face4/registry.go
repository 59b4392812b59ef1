package face4

import (
	mregistry "go-micro.dev/v4/registry"

	"github.com/microreg/microreg/engine"
)

// Registry is an engine backend as a go-micro v4 registry.Registry. Each
// backend of the v4 face embeds it, beside its own methods.
type Registry struct{ e Backend }

// Backend is what an engine backend implements: engine.Registry and Close.
type Backend interface {
	engine.Registry
	Close() error
}

// New is e as a go-micro v4 registry.
func New(e Backend) Registry { return Registry{e} }

// Init applies opts to the registry; an option it cannot apply is an
// error wrapping registry.ErrOption that names it, and nothing is applied.
func (r Registry) Init(opts ...mregistry.Option) error { return r.e.Init(Options(opts)...) }

// Options returns the options the registry was built and initialised with.
func (r Registry) Options() mregistry.Options { return V4Options(r.e.Options()) }

// Register adds the nodes of s (see each backend's doc for how they
// spread); RegisterTTL makes them expire unless registered again in time.
func (r Registry) Register(s *mregistry.Service, opts ...mregistry.RegisterOption) error {
	return r.e.Register(Service(s), registerOptions(opts)...)
}

// Deregister removes the nodes of s, and its version once it has none.
func (r Registry) Deregister(s *mregistry.Service, opts ...mregistry.DeregisterOption) error {
	return r.e.Deregister(Service(s), deregisterOptions(opts)...)
}

// GetService returns deep copies of every version of name, or
// registry.ErrNotFound.
func (r Registry) GetService(name string, opts ...mregistry.GetOption) ([]*mregistry.Service, error) {
	s, err := r.e.GetService(name, getOptions(opts)...)
	return Services(s), Err(err)
}

// ListServices returns every version of every service, without nodes.
func (r Registry) ListServices(opts ...mregistry.ListOption) ([]*mregistry.Service, error) {
	s, err := r.e.ListServices(listOptions(opts)...)
	return Services(s), Err(err)
}

// Watch returns a watcher of every service, or of one (WatchService).
func (r Registry) Watch(opts ...mregistry.WatchOption) (mregistry.Watcher, error) {
	w, err := r.e.Watch(watchOptions(opts)...)
	if err != nil {
		return nil, Err(err)
	}
	return watcher{w}, nil
}

// String returns the backend's name.
func (r Registry) String() string { return r.e.String() }

// Close stops the registry's goroutines and every watcher; a backend that
// announces its nodes says goodbye first.
func (r Registry) Close() error { return r.e.Close() }

// watcher is an engine watcher as go-micro's.
type watcher struct{ w engine.Watcher }

func (w watcher) Next() (*mregistry.Result, error) {
	r, err := w.w.Next()
	return Result(r), Err(err)
}

func (w watcher) Stop() { w.w.Stop() }

// Built is a face backend's New: the engine backend e wrapped in the
// face's type, or the error that kept it from being built.
func Built[E, R any](wrap func(E) R) func(e E, err error) (R, error) {
	return func(e E, err error) (R, error) {
		if err != nil {
			var zero R
			return zero, err
		}
		return wrap(e), nil
	}
}
