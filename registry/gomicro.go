package registry

import (
	"fmt"
	"sync"
)

// goMicroFactory adapts a Factory to go-micro's cmd.DefaultRegistries,
// whose factories return no error: go-micro calls one with no options,
// then passes --registry_address through Init. A backend that cannot start
// is returned there as a registry that answers every call with the reason
// (wrapping ErrNotStarted) and tries to start again at each Init, with
// every option given so far.
func goMicroFactory(name string, factory Factory) func(opts ...Option) Registry {
	return func(opts ...Option) Registry {
		r, err := factory(opts...)
		if err == nil {
			return r
		}
		return &unstarted{name: name, factory: factory, opts: opts, err: err}
	}
}

// unstarted is a backend that could not start, in go-micro's table.
type unstarted struct {
	name    string
	factory Factory

	mu   sync.Mutex
	opts []Option
	err  error    // why it could not start
	r    Registry // once it has
}

// started returns the backend once it has started, or why it has not.
func (u *unstarted) started() (Registry, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.r != nil {
		return u.r, nil
	}
	return nil, fmt.Errorf("%s: %w: %w", u.name, ErrNotStarted, u.err)
}

// Init tries to start the backend again with every option given so far;
// once started, Init goes to it.
func (u *unstarted) Init(opts ...Option) error {
	u.mu.Lock()
	if r := u.r; r != nil {
		u.mu.Unlock()
		return r.Init(opts...)
	}
	defer u.mu.Unlock()
	u.opts = append(u.opts, opts...)
	r, err := u.factory(u.opts...)
	if err != nil {
		u.err = err
		return fmt.Errorf("%s: %w: %w", u.name, ErrNotStarted, err)
	}
	u.r = r
	return nil
}

func (u *unstarted) Options() Options {
	if r, err := u.started(); err == nil {
		return r.Options()
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return *NewOptions(u.opts...)
}

func (u *unstarted) Register(s *Service, opts ...RegisterOption) error {
	r, err := u.started()
	if err != nil {
		return err
	}
	return r.Register(s, opts...)
}

func (u *unstarted) Deregister(s *Service, opts ...DeregisterOption) error {
	r, err := u.started()
	if err != nil {
		return err
	}
	return r.Deregister(s, opts...)
}

func (u *unstarted) GetService(name string, opts ...GetOption) ([]*Service, error) {
	r, err := u.started()
	if err != nil {
		return nil, err
	}
	return r.GetService(name, opts...)
}

func (u *unstarted) ListServices(opts ...ListOption) ([]*Service, error) {
	r, err := u.started()
	if err != nil {
		return nil, err
	}
	return r.ListServices(opts...)
}

func (u *unstarted) Watch(opts ...WatchOption) (Watcher, error) {
	r, err := u.started()
	if err != nil {
		return nil, err
	}
	return r.Watch(opts...)
}

// String is the backend's name, so go-micro keeps it for --registry=NAME.
func (u *unstarted) String() string { return u.name }

// Close closes the backend if it started.
func (u *unstarted) Close() error {
	if r, err := u.started(); err == nil {
		return Close(r)
	}
	return nil
}
