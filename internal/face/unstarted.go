package face

import (
	"fmt"
	"io"
	"sync"

	"github.com/microreg/microreg/engine"
)

// GoMicroFactory adapts a face's factory to its go-micro's
// cmd.DefaultRegistries, whose factories return no error: go-micro calls
// one with no options, then passes --registry_address through Init. A
// backend that cannot start is returned there as a registry that answers
// every call with the reason (wrapping engine.ErrNotStarted) and tries to
// start again at each Init, with every option given so far. F is the
// major's registry interface.
func GoMicroFactory[S, R, Opts any, Opt ~func(*Opts), RO, DO, GO, LO, WO any, W Watcher[R], F Foreign[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]](m Major[Opts], name string, factory Factory[F, Opt]) func(opts ...Opt) F {
	return func(opts ...Opt) F {
		r, err := factory(opts...)
		if err == nil {
			return r
		}
		u := &unstarted[S, R, Opts, Opt, RO, DO, GO, LO, WO, W, F]{name: name, m: m, factory: factory, opts: opts, err: err}
		return any(u).(F)
	}
}

// unstarted is a backend that could not start, in go-micro's table.
type unstarted[S, R, Opts any, Opt ~func(*Opts), RO, DO, GO, LO, WO any, W Watcher[R], F Foreign[S, R, Opts, Opt, RO, DO, GO, LO, WO, W]] struct {
	name    string
	m       Major[Opts]
	factory Factory[F, Opt]

	mu      sync.Mutex
	opts    []Opt
	err     error // why it could not start
	r       F     // once it has
	started bool
}

// get returns the backend once it has started, or why it has not.
func (u *unstarted[S, R, Opts, Opt, RO, DO, GO, LO, WO, W, F]) get() (F, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.started {
		return u.r, nil
	}
	return u.r, fmt.Errorf("%s: %w: %w", u.name, engine.ErrNotStarted, u.err)
}

// Init tries to start the backend again with every option given so far;
// once started, Init goes to it.
func (u *unstarted[S, R, Opts, Opt, RO, DO, GO, LO, WO, W, F]) Init(opts ...Opt) error {
	u.mu.Lock()
	if u.started {
		r := u.r
		u.mu.Unlock()
		return r.Init(opts...)
	}
	defer u.mu.Unlock()
	u.opts = append(u.opts, opts...)
	r, err := u.factory(u.opts...)
	if err != nil {
		u.err = err
		return fmt.Errorf("%s: %w: %w", u.name, engine.ErrNotStarted, err)
	}
	u.r, u.started = r, true
	return nil
}

func (u *unstarted[S, R, Opts, Opt, RO, DO, GO, LO, WO, W, F]) Options() Opts {
	if r, err := u.get(); err == nil {
		return r.Options()
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	o := u.m.Defaults()
	for _, opt := range u.opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

func (u *unstarted[S, R, Opts, Opt, RO, DO, GO, LO, WO, W, F]) Register(s *S, opts ...RO) error {
	r, err := u.get()
	if err != nil {
		return err
	}
	return r.Register(s, opts...)
}

func (u *unstarted[S, R, Opts, Opt, RO, DO, GO, LO, WO, W, F]) Deregister(s *S, opts ...DO) error {
	r, err := u.get()
	if err != nil {
		return err
	}
	return r.Deregister(s, opts...)
}

func (u *unstarted[S, R, Opts, Opt, RO, DO, GO, LO, WO, W, F]) GetService(name string, opts ...GO) ([]*S, error) {
	r, err := u.get()
	if err != nil {
		return nil, err
	}
	return r.GetService(name, opts...)
}

func (u *unstarted[S, R, Opts, Opt, RO, DO, GO, LO, WO, W, F]) ListServices(opts ...LO) ([]*S, error) {
	r, err := u.get()
	if err != nil {
		return nil, err
	}
	return r.ListServices(opts...)
}

func (u *unstarted[S, R, Opts, Opt, RO, DO, GO, LO, WO, W, F]) Watch(opts ...WO) (W, error) {
	r, err := u.get()
	if err != nil {
		var none W
		return none, err
	}
	return r.Watch(opts...)
}

// String is the backend's name, so go-micro keeps it for --registry=NAME.
func (u *unstarted[S, R, Opts, Opt, RO, DO, GO, LO, WO, W, F]) String() string { return u.name }

// Close closes the backend if it started.
func (u *unstarted[S, R, Opts, Opt, RO, DO, GO, LO, WO, W, F]) Close() error {
	if r, err := u.get(); err == nil {
		if c, ok := any(r).(io.Closer); ok {
			return c.Close()
		}
	}
	return nil
}
