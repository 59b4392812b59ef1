package face4

import (
	"io"

	mregistry "go-micro.dev/v4/registry"

	"github.com/microreg/microreg/engine"
)

// Engine is any go-micro v4 registry as an engine.Registry (for the
// engine's Diagnose): the face the other way round.
func Engine(r mregistry.Registry) engine.Registry { return reverse{r} }

type reverse struct{ r mregistry.Registry }

func (v reverse) Init(opts ...engine.Option) error {
	converted := make([]mregistry.Option, len(opts))
	for i, o := range opts {
		converted[i] = Option(o)
	}
	return engineErr(v.r.Init(converted...))
}

func (v reverse) Options() engine.Options {
	o := v.r.Options()
	return engineOptions(o, logAdapter{o.Logger})
}

func (v reverse) Register(s *engine.Service, opts ...engine.RegisterOption) error {
	return engineErr(v.r.Register(V4Service(s), v4Register(opts)...))
}

func (v reverse) Deregister(s *engine.Service, opts ...engine.DeregisterOption) error {
	return engineErr(v.r.Deregister(V4Service(s), v4Deregister(opts)...))
}

func (v reverse) GetService(name string, opts ...engine.GetOption) ([]*engine.Service, error) {
	s, err := v.r.GetService(name, v4Get(opts)...)
	return EngineServices(s), engineErr(err)
}

func (v reverse) ListServices(opts ...engine.ListOption) ([]*engine.Service, error) {
	s, err := v.r.ListServices(v4List(opts)...)
	return EngineServices(s), engineErr(err)
}

func (v reverse) Watch(opts ...engine.WatchOption) (engine.Watcher, error) {
	w, err := v.r.Watch(v4Watch(opts)...)
	if err != nil {
		return nil, engineErr(err)
	}
	return reverseWatcher{w}, nil
}

func (v reverse) String() string { return v.r.String() }

type reverseWatcher struct{ w mregistry.Watcher }

func (w reverseWatcher) Next() (*engine.Result, error) {
	r, err := w.w.Next()
	return EngineResult(r), engineErr(err)
}

func (w reverseWatcher) Stop() { w.w.Stop() }

// Close stops r's goroutines, if it has a Close method.
func (v reverse) Close() error {
	if c, ok := v.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
