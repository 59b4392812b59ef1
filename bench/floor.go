package bench

import (
	"github.com/microreg/microreg/registry"
)

// Getter is the read half of a registry: what GetService and the copy
// floor share.
type Getter interface {
	GetService(name string, opts ...registry.GetOption) ([]*registry.Service, error)
}

// Floor is the physical floor of a GetService that returns deep copies:
// a plain map lookup, no lock, plus registry.CopyServices of what it
// finds. A registry answering from memory cannot do less and keep its
// results private to the caller.
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
	return registry.CopyServices(s), nil
}
