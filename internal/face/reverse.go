package face

import (
	"io"

	"github.com/microreg/microreg/engine"
)

// Watcher is a major's watcher of results R.
type Watcher[R any] interface {
	Next() (*R, error)
	Stop()
}

// Foreign is a major's registry interface (go-micro's registry.Registry
// of that version), over its types as Registry names them.
type Foreign[S, R, Opts any, Opt ~func(*Opts), RO, DO, GO, LO, WO any, W Watcher[R]] interface {
	Init(...Opt) error
	Options() Opts
	Register(*S, ...RO) error
	Deregister(*S, ...DO) error
	GetService(string, ...GO) ([]*S, error)
	ListServices(...LO) ([]*S, error)
	Watch(...WO) (W, error)
	String() string
}

// Reverse is any registry of major m as an engine.Registry (for the
// engine's Diagnose and conformance suite): the face the other way round.
// It closes r if r has a Close method.
func Reverse[S, R, Opts any, Opt ~func(*Opts), RO, DO, GO, LO, WO any, W Watcher[R]](m Major[Opts], r Foreign[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) engine.Registry {
	return reverse[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]{r, m}
}

type reverse[S, R, Opts any, Opt ~func(*Opts), RO, DO, GO, LO, WO any, W Watcher[R]] struct {
	r Foreign[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]
	m Major[Opts]
}

func (v reverse[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) Init(opts ...engine.Option) error {
	converted := make([]Opt, len(opts))
	for i, o := range opts {
		converted[i] = Option[Opts, Opt](v.m, o)
	}
	return v.m.engineErr(v.r.Init(converted...))
}

func (v reverse[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) Options() engine.Options {
	return v.m.ToEngine(v.r.Options())
}

func (v reverse[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) Register(s *engine.Service, opts ...engine.RegisterOption) error {
	return v.m.engineErr(v.r.Register(FromEngine[S](s), Slice[RO](opts)...))
}

func (v reverse[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) Deregister(s *engine.Service, opts ...engine.DeregisterOption) error {
	return v.m.engineErr(v.r.Deregister(FromEngine[S](s), Slice[DO](opts)...))
}

func (v reverse[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) GetService(name string, opts ...engine.GetOption) ([]*engine.Service, error) {
	s, err := v.r.GetService(name, Slice[GO](opts)...)
	return EngineServices(s), v.m.engineErr(err)
}

func (v reverse[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) ListServices(opts ...engine.ListOption) ([]*engine.Service, error) {
	s, err := v.r.ListServices(Slice[LO](opts)...)
	return EngineServices(s), v.m.engineErr(err)
}

func (v reverse[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) Watch(opts ...engine.WatchOption) (engine.Watcher, error) {
	w, err := v.r.Watch(Slice[WO](opts)...)
	if err != nil {
		return nil, v.m.engineErr(err)
	}
	return reverseWatcher[R, Opts]{w, v.m}, nil
}

func (v reverse[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) String() string { return v.r.String() }

// Close stops r's goroutines, if it has a Close method.
func (v reverse[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]) Close() error {
	if c, ok := v.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

type reverseWatcher[R, Opts any] struct {
	w Watcher[R]
	m Major[Opts]
}

func (w reverseWatcher[R, Opts]) Next() (*engine.Result, error) {
	r, err := w.w.Next()
	return ToEngine[engine.Result](r), w.m.engineErr(err)
}

func (w reverseWatcher[R, Opts]) Stop() { w.w.Stop() }
