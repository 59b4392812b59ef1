package mdnsbench

import (
	"sync"

	"github.com/microreg/microreg/registry"
)

// owned is a contender that cleans up after itself: Close deregisters
// whatever is still registered through it, then closes the registry.
// go-micro's mDNS registry has no Close, and the mDNS server it starts for
// every registration would otherwise go on answering and multicasting
// through every later benchmark of this process, slowing whichever
// contender runs next.
type owned struct {
	registry.Registry
	mu   sync.Mutex
	live map[[3]string]*registry.Service // one node each, by name, version, node id
}

func own(r registry.Registry) *owned {
	return &owned{Registry: r, live: map[[3]string]*registry.Service{}}
}

func nodes(s *registry.Service, each func(key [3]string, one *registry.Service)) {
	for _, n := range s.Nodes {
		one := *s
		one.Nodes = []*registry.Node{n}
		each([3]string{s.Name, s.Version, n.Id}, &one)
	}
}

// Register registers through the contender and remembers what it holds.
func (o *owned) Register(s *registry.Service, opts ...registry.RegisterOption) error {
	if err := o.Registry.Register(s, opts...); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	nodes(s, func(k [3]string, one *registry.Service) { o.live[k] = one })
	return nil
}

// Deregister deregisters through the contender and forgets.
func (o *owned) Deregister(s *registry.Service, opts ...registry.DeregisterOption) error {
	err := o.Registry.Deregister(s, opts...)
	o.mu.Lock()
	defer o.mu.Unlock()
	nodes(s, func(k [3]string, _ *registry.Service) { delete(o.live, k) })
	return err
}

// Close deregisters what is left and closes the contender if it can be.
func (o *owned) Close() error {
	o.mu.Lock()
	left := o.live
	o.live = map[[3]string]*registry.Service{}
	o.mu.Unlock()
	for _, s := range left {
		_ = o.Registry.Deregister(s)
	}
	return registry.Close(o.Registry)
}
