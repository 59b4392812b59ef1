// Package memory is an in-process registry backend for unit tests and
// single-binary deployments: go-micro's registry semantics, with deep
// copies, updates that reach watchers, TTL expiry with delete events, and
// lock-free reads that scale with readers.
//
// It registers itself as "memory": a blank import makes --registry=memory
// and MICRO_REGISTRY=memory work in go-micro programs.
package memory

import (
	"sync"

	"go-micro.dev/v4/logger"

	"github.com/microreg/microreg/registry"
)

// Name is the backend's name in the registry table and String().
const Name = "memory"

func init() { registry.Register(Name, NewRegistry) }

type memoryRegistry struct {
	store *registry.Store

	mu   sync.RWMutex
	opts registry.Options
}

// NewRegistry returns an empty in-process registry (or one preloaded with
// Services). Its TTL reaper runs until registry.Close.
func NewRegistry(opts ...registry.Option) registry.Registry {
	o := *registry.NewOptions(opts...)
	var storeOpts []registry.StoreOption
	if c, ok := registry.ContextValue[registry.Clock](o, clockKey{}); ok {
		storeOpts = append(storeOpts, registry.WithClock(c))
	}
	if n, ok := registry.ContextValue[int](o, watchQueueKey{}); ok {
		storeOpts = append(storeOpts, registry.WithWatchQueue(n))
	}
	m := &memoryRegistry{store: registry.NewStore(storeOpts...), opts: o}
	m.preload()
	return m
}

func (m *memoryRegistry) preload() {
	m.mu.RLock()
	preloaded, _ := registry.ContextValue[map[string][]*registry.Service](m.opts, servicesKey{})
	m.mu.RUnlock()
	for _, versions := range preloaded {
		for _, s := range versions {
			if err := m.store.Register(s, 0); err != nil {
				m.Options().Logger.Logf(logger.ErrorLevel, "memory: preloaded service not loaded: %v", err)
			}
		}
	}
}

// Init applies opts and loads any Services they carry.
func (m *memoryRegistry) Init(opts ...registry.Option) error {
	m.mu.Lock()
	for _, o := range opts {
		o(&m.opts)
	}
	m.mu.Unlock()
	m.preload()
	return nil
}

func (m *memoryRegistry) Options() registry.Options {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.opts
}

func (m *memoryRegistry) Register(s *registry.Service, opts ...registry.RegisterOption) error {
	o, err := registry.ApplyRegister(opts...)
	if err != nil {
		return err
	}
	return m.store.Register(s, o.TTL)
}

func (m *memoryRegistry) Deregister(s *registry.Service, opts ...registry.DeregisterOption) error {
	_, err := registry.ApplyDeregister(opts...)
	if err != nil {
		return err
	}
	return m.store.Deregister(s)
}

func (m *memoryRegistry) GetService(name string, opts ...registry.GetOption) ([]*registry.Service, error) {
	if len(opts) > 0 {
		var o registry.GetOptions
		for _, opt := range opts {
			opt(&o)
		}
		if err := registry.CheckContext(o.Context); err != nil {
			return nil, err
		}
	}
	return m.store.Get(name)
}

func (m *memoryRegistry) ListServices(opts ...registry.ListOption) ([]*registry.Service, error) {
	_, err := registry.ApplyList(opts...)
	if err != nil {
		return nil, err
	}
	return m.store.List(), nil
}

func (m *memoryRegistry) Watch(opts ...registry.WatchOption) (registry.Watcher, error) {
	return m.store.Watch(opts...)
}

func (m *memoryRegistry) String() string { return Name }

// Close stops the TTL reaper and every watcher. Reach it through
// registry.Close(r), since go-micro's interface has no Close.
func (m *memoryRegistry) Close() error { return m.store.Close() }
