package memory

import (
	"errors"
	"fmt"
	"sync"

	"github.com/microreg/microreg/engine"
)

// Name is the backend's name in the registry table and String().
const Name = "memory"

// Registry is the memory backend. Its methods are go-micro's
// engine.Registry, plus Close.
type Registry struct {
	store *engine.Store

	mu   sync.RWMutex
	opts engine.Options
}

// Open returns an empty in-process registry (or one preloaded with
// Services), in go-micro's factory shape: a preloaded service that is not
// valid, or another backend's option, is logged and left out. Its TTL reaper runs until Close.
func Open(opts ...engine.Option) *Registry {
	m, err := open(opts)
	if err != nil {
		m.Options().Logger.Logf(engine.ErrorLevel, "memory: %v", err)
	}
	return m
}

// New is Open that says when it fails: an error if a preloaded
// service is not valid (and no registry, its reaper stopped).
func New(opts ...engine.Option) (*Registry, error) {
	m, err := open(opts)
	if err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

func open(opts []engine.Option) (*Registry, error) {
	o := *engine.NewOptions(opts...)
	m := &Registry{store: engine.NewStoreFor(o), opts: o}
	if err := engine.CheckOptions(o, Name); err != nil {
		return m, err
	}
	return m, m.preload()
}

// preload loads the Services option's services; the error names those not
// loaded (the others are).
func (m *Registry) preload() error {
	m.mu.RLock()
	preloaded, _ := engine.ContextValue[map[string][]*engine.Service](m.opts, servicesKey{})
	m.mu.RUnlock()
	var errs []error
	for _, versions := range preloaded {
		for _, s := range versions {
			if err := m.store.Register(s, 0); err != nil {
				errs = append(errs, fmt.Errorf("preloaded service not loaded: %w", err))
			}
		}
	}
	return errors.Join(errs...)
}

// Init applies opts and loads any Services they carry; the error names
// the preloaded services that were not valid (the others are loaded). An
// option that applies only when the registry is built (Clock, WatchQueue)
// or another backend's is an error wrapping engine.ErrOption, and
// nothing is applied.
func (m *Registry) Init(opts ...engine.Option) error {
	// Only Services applies to a running registry: its Clock and
	// WatchQueue are its store's, made by New.
	if err := engine.CheckInit(Name, func(name string) bool { return name == "memory.Services" }, opts...); err != nil {
		return err
	}
	m.mu.Lock()
	for _, o := range opts {
		o(&m.opts)
	}
	m.mu.Unlock()
	return m.preload()
}

// Options returns the options the registry was built and initialised with.
func (m *Registry) Options() engine.Options {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.opts
}

// Register merges s into the registry (see engine.Store.Register); a
// RegisterTTL makes its nodes expire unless registered again in time.
func (m *Registry) Register(s *engine.Service, opts ...engine.RegisterOption) error {
	o, err := engine.ApplyRegister(opts...)
	if err != nil {
		return err
	}
	return m.store.Register(s, o.TTL)
}

// Deregister removes the nodes of s, and its version once it has none.
func (m *Registry) Deregister(s *engine.Service, opts ...engine.DeregisterOption) error {
	if _, err := engine.ApplyDeregister(opts...); err != nil {
		return err
	}
	return m.store.Deregister(s)
}

// GetService returns deep copies of every version of name, or
// engine.ErrNotFound.
func (m *Registry) GetService(name string, opts ...engine.GetOption) ([]*engine.Service, error) {
	if _, err := engine.ApplyGet(opts...); err != nil {
		return nil, err
	}
	return m.store.Get(name)
}

// ListServices returns deep copies of every version of every service.
func (m *Registry) ListServices(opts ...engine.ListOption) ([]*engine.Service, error) {
	if _, err := engine.ApplyList(opts...); err != nil {
		return nil, err
	}
	return m.store.List(), nil
}

// Watch returns a watcher of every service, or of one (WatchService).
func (m *Registry) Watch(opts ...engine.WatchOption) (engine.Watcher, error) {
	return m.store.Watch(opts...)
}

// String returns "memory".
func (m *Registry) String() string { return Name }

// Close stops the TTL reaper and every watcher.
func (m *Registry) Close() error { return m.store.Close() }
