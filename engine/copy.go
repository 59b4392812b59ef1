package engine

import "maps"

// CopyService returns a deep copy of s: no map, slice or pointer of the
// copy is shared with s. nil and empty maps and slices keep their
// nil-ness. Nodes, endpoints and values are allocated in blocks, so a copy
// costs a handful of allocations plus one per non-nil map.
func CopyService(s *Service) *Service {
	if s == nil {
		return nil
	}
	c := &Service{
		Name:     s.Name,
		Version:  s.Version,
		Metadata: copyMap(s.Metadata),
	}
	c.Nodes = CopyNodes(s.Nodes)
	if s.Endpoints != nil {
		c.Endpoints = copyEndpoints(s.Endpoints)
	}
	return c
}

// CopyServices deep-copies each service of list into a new slice.
func CopyServices(list []*Service) []*Service {
	out := make([]*Service, len(list))
	for i, s := range list {
		out[i] = CopyService(s)
	}
	return out
}

// CopyNodes deep-copies nodes, keeping nil entries and nil-ness.
func CopyNodes(nodes []*Node) []*Node {
	if nodes == nil {
		return nil
	}
	block := make([]Node, len(nodes))
	out := make([]*Node, len(nodes))
	for i, n := range nodes {
		if n == nil {
			continue
		}
		block[i] = Node{Id: n.Id, Address: n.Address, Metadata: copyMap(n.Metadata)}
		out[i] = &block[i]
	}
	return out
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	return maps.Clone(m)
}

func copyEndpoints(eps []*Endpoint) []*Endpoint {
	nv := 0
	for _, e := range eps {
		if e != nil {
			nv += countValues(e.Request) + countValues(e.Response)
		}
	}
	vc := valueCopier{vals: make([]Value, 0, nv), ptrs: make([]*Value, 0, nv)}
	block := make([]Endpoint, len(eps))
	out := make([]*Endpoint, len(eps))
	for i, e := range eps {
		if e == nil {
			continue
		}
		block[i] = Endpoint{
			Name:     e.Name,
			Metadata: copyMap(e.Metadata),
			Request:  vc.copy(e.Request),
			Response: vc.copy(e.Response),
		}
		out[i] = &block[i]
	}
	return out
}

func countValues(v *Value) int {
	if v == nil {
		return 0
	}
	n := 1
	for _, c := range v.Values {
		n += countValues(c)
	}
	return n
}

// valueCopier copies Value trees into two pre-sized blocks: one for the
// values and one that every Values slice of the copy is carved from.
type valueCopier struct {
	vals []Value
	ptrs []*Value
}

func (vc *valueCopier) copy(v *Value) *Value {
	if v == nil {
		return nil
	}
	vc.vals = append(vc.vals, Value{Name: v.Name, Type: v.Type})
	c := &vc.vals[len(vc.vals)-1]
	if v.Values != nil {
		start := len(vc.ptrs)
		vc.ptrs = append(vc.ptrs, make([]*Value, len(v.Values))...)
		children := vc.ptrs[start:len(vc.ptrs):len(vc.ptrs)]
		for i, child := range v.Values {
			children[i] = vc.copy(child)
		}
		c.Values = children
	}
	return c
}
