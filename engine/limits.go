package engine

import (
	"errors"
	"fmt"
)

// Limits bound what peers can make a registry hold. The defaults are far
// beyond what real fleets reach (go-micro fleets run tens to thousands of
// instances); they are there so that a buggy or hostile peer that
// registers without end (a new node id at every restart, a loop) cannot
// grow every other member's memory without bound. What is over a limit is
// refused and logged once, doctor names it, and everything else keeps
// working.
const (
	// DefaultMaxServices is how many service names one registry's view
	// holds (MaxServices).
	DefaultMaxServices = 50_000
	// DefaultMaxNodes is how many nodes, over every service and version,
	// one registry's view holds (MaxNodes).
	DefaultMaxNodes = 200_000
	// DefaultMaxNodesPerPeer is how many nodes one peer may have a
	// registry hold: one gossip member's registrations (and their
	// tombstones), one mDNS host's records.
	DefaultMaxNodesPerPeer = 25_000
)

// ErrLimit is wrapped by every error about a registration over one of the
// limits; the error's text says which and how to raise it.
var ErrLimit = errors.New("over a limit")

type (
	maxServicesKey struct{}
	maxNodesKey    struct{}
)

// MaxServices sets how many service names the registry's view holds
// (default DefaultMaxServices; 0 or less: the default). A registration of
// a new name beyond it is refused with an error wrapping ErrLimit.
func MaxServices(n int) Option { return ContextOption(maxServicesKey{}, n) }

// MaxNodes sets how many nodes the registry's view holds (default
// DefaultMaxNodes; 0 or less: the default). A registration of new nodes
// beyond it is refused with an error wrapping ErrLimit.
func MaxNodes(n int) Option { return ContextOption(maxNodesKey{}, n) }

// viewLimits are a store's limits.
type viewLimits struct {
	services, nodes int
}

func limitsOf(o Options) viewLimits {
	l := viewLimits{DefaultMaxServices, DefaultMaxNodes}
	if n, ok := ContextValue[int](o, maxServicesKey{}); ok && n > 0 {
		l.services = n
	}
	if n, ok := ContextValue[int](o, maxNodesKey{}); ok && n > 0 {
		l.nodes = n
	}
	return l
}

// WithLimits sets a store's limits (NewStoreFor reads them from the
// options).
func WithLimits(services, nodes int) StoreOption {
	return func(s *Store) {
		if services > 0 {
			s.limits.services = services
		}
		if nodes > 0 {
			s.limits.nodes = nodes
		}
	}
}

// overLimit says which view limit taking old to next would pass, or nil;
// s.mu is held.
func (s *Store) overLimit(name string, old, next []*Service) error {
	if len(old) == 0 && len(next) > 0 && s.count.services+1 > s.limits.services {
		return fmt.Errorf("service %s: %w: the view holds %d services, the most it may (MaxServices)", name, ErrLimit, s.count.services)
	}
	if grow := nodeCount(next) - nodeCount(old); grow > 0 && s.count.nodes+grow > s.limits.nodes {
		return fmt.Errorf("service %s: %w: the view holds %d nodes, and %d more would pass its %d (MaxNodes)", name, ErrLimit, s.count.nodes, grow, s.limits.nodes)
	}
	return nil
}

// counted notes what taking old to next did to the counts; s.mu is held.
func (s *Store) counted(old, next []*Service) {
	switch {
	case len(old) == 0 && len(next) > 0:
		s.count.services++
	case len(old) > 0 && len(next) == 0:
		s.count.services--
	}
	s.count.nodes += nodeCount(next) - nodeCount(old)
}

func nodeCount(list []*Service) int {
	n := 0
	for _, v := range list {
		n += len(v.Nodes)
	}
	return n
}

// Counts returns how many services and nodes the store holds.
func (s *Store) Counts() (services, nodes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count.services, s.count.nodes
}
