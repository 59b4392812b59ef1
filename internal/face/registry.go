package face

import "github.com/microreg/microreg/engine"

// Backend is what an engine backend implements: engine.Registry and Close.
type Backend interface {
	engine.Registry
	Close() error
}

// Registry is an engine backend as a go-micro registry of one major:
// S, R, Opts and Opt are its Service, Result, Options and Option; RO, DO,
// GO, LO and WO its call options; W its Watcher interface. Each backend of
// a face embeds it, beside its own methods.
type Registry[S, R, Opts any, Opt ~func(*Opts), RO, DO, GO, LO, WO any, W any] struct {
	e Backend
	m Major[Opts]
}

// New is e as a registry of major m.
func New[S, R, Opts any, Opt ~func(*Opts), RO, DO, GO, LO, WO any, W any](m Major[Opts], e Backend) Registry[S, R, Opts, Opt, RO, DO, GO, LO, WO, W] {
	return Registry[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]{e, m}
}

// Init applies opts to the registry; an option it cannot apply is an
// error wrapping registry.ErrOption that names it, and nothing is applied.
func (r Registry[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) Init(opts ...Opt) error {
	return r.e.Init(Options(r.m, opts)...)
}

// Options returns the options the registry was built and initialised with.
func (r Registry[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) Options() Opts {
	return r.m.FromEngine(r.e.Options())
}

// Register adds the nodes of s (see each backend's doc for how they
// spread); RegisterTTL makes them expire unless registered again in time.
func (r Registry[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) Register(s *S, opts ...RO) error {
	return r.e.Register(ToEngine[engine.Service](s), Slice[engine.RegisterOption](opts)...)
}

// Deregister removes the nodes of s, and its version once it has none.
func (r Registry[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) Deregister(s *S, opts ...DO) error {
	return r.e.Deregister(ToEngine[engine.Service](s), Slice[engine.DeregisterOption](opts)...)
}

// GetService returns deep copies of every version of name, or
// registry.ErrNotFound.
func (r Registry[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) GetService(name string, opts ...GO) ([]*S, error) {
	s, err := r.e.GetService(name, Slice[engine.GetOption](opts)...)
	return Services[S](s), r.m.Err(err)
}

// ListServices returns every version of every service, without nodes.
func (r Registry[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) ListServices(opts ...LO) ([]*S, error) {
	s, err := r.e.ListServices(Slice[engine.ListOption](opts)...)
	return Services[S](s), r.m.Err(err)
}

// Watch returns a watcher of every service, or of one (WatchService).
func (r Registry[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) Watch(opts ...WO) (W, error) {
	var none W
	w, err := r.e.Watch(Slice[engine.WatchOption](opts)...)
	if err != nil {
		return none, r.m.Err(err)
	}
	return any(watcher[R, Opts]{w, r.m}).(W), nil
}

// String returns the backend's name.
func (r Registry[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) String() string { return r.e.String() }

// Close stops the registry's goroutines and every watcher; a backend that
// announces its nodes says goodbye first.
func (r Registry[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) Close() error { return r.e.Close() }

// watcher is an engine watcher as the major's.
type watcher[R, Opts any] struct {
	w engine.Watcher
	m Major[Opts]
}

func (w watcher[R, Opts]) Next() (*R, error) {
	r, err := w.w.Next()
	return FromEngine[R](r), w.m.Err(err)
}

func (w watcher[R, Opts]) Stop() { w.w.Stop() }

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
