package bench

import (
	"maps"

	"github.com/microreg/microreg/registry"
)

// Getter is the read half of a registry: what GetService and the copy
// floor share.
type Getter interface {
	GetService(name string, opts ...registry.GetOption) ([]*registry.Service, error)
}

// Floor is the physical floor of a GetService that returns deep copies:
// a plain map lookup, no lock, plus a deep copy written by hand for these
// types (HandCopy), not the registry's own CopyServices. A registry
// answering from memory cannot do less and keep its results private to
// the caller.
type Floor map[string][]*registry.Service

// CopyFloor snapshots every service r lists into a Floor (versions of a
// name in the order ListServices gives them).
func CopyFloor(r registry.Registry) (Floor, error) {
	list, err := r.ListServices()
	if err != nil {
		return nil, err
	}
	f := Floor{}
	for _, s := range list {
		full, err := r.GetService(s.Name)
		if err != nil {
			return nil, err
		}
		f[s.Name] = full
	}
	return f, nil
}

// GetService is a map lookup and a deep copy.
func (f Floor) GetService(name string, _ ...registry.GetOption) ([]*registry.Service, error) {
	s, ok := f[name]
	if !ok {
		return nil, registry.ErrNotFound
	}
	return HandCopy(s), nil
}

// HandCopy deep-copies list the plainest way: the struct copied, one
// allocation for each service's node slab and one for its pointers,
// maps.Clone of every map, and each endpoint and value allocated on its
// own.
func HandCopy(list []*registry.Service) []*registry.Service {
	out := make([]*registry.Service, len(list))
	for i, s := range list {
		c := &registry.Service{Name: s.Name, Version: s.Version, Metadata: maps.Clone(s.Metadata)}
		if s.Nodes != nil {
			slab := make([]registry.Node, len(s.Nodes))
			c.Nodes = make([]*registry.Node, len(s.Nodes))
			for j, n := range s.Nodes {
				slab[j] = registry.Node{Id: n.Id, Address: n.Address, Metadata: maps.Clone(n.Metadata)}
				c.Nodes[j] = &slab[j]
			}
		}
		if s.Endpoints != nil {
			c.Endpoints = make([]*registry.Endpoint, len(s.Endpoints))
			for j, e := range s.Endpoints {
				c.Endpoints[j] = &registry.Endpoint{Name: e.Name, Metadata: maps.Clone(e.Metadata),
					Request: handCopyValue(e.Request), Response: handCopyValue(e.Response)}
			}
		}
		out[i] = c
	}
	return out
}

func handCopyValue(v *registry.Value) *registry.Value {
	if v == nil {
		return nil
	}
	c := &registry.Value{Name: v.Name, Type: v.Type}
	if v.Values != nil {
		c.Values = make([]*registry.Value, len(v.Values))
		for i, x := range v.Values {
			c.Values[i] = handCopyValue(x)
		}
	}
	return c
}
