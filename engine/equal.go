package engine

import (
	"maps"
	"slices"
)

// SameRegistration reports whether a and b register the same thing: the
// same name and version, metadata and endpoints, and the same nodes
// (EqualNode, in any order). Registering b where a is registered changes
// nothing but TTLs; every backend's "is this a heartbeat?" is this.
func SameRegistration(a, b *Service) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Name == b.Name && a.Version == b.Version && len(a.Nodes) == len(b.Nodes) && !changed(a, b)
}

// changed reports whether version n adds to or changes version o: other
// metadata or endpoints, or a node that is new or different (EqualNode).
// Nodes of o that n lacks are not changes (a Register merges nodes; taking
// one away is a Deregister). Names and versions are not compared.
func changed(o, n *Service) bool {
	if o == n {
		return false
	}
	if !maps.Equal(o.Metadata, n.Metadata) || !EqualEndpoints(o.Endpoints, n.Endpoints) {
		return true
	}
	for _, node := range n.Nodes {
		if !EqualNode(findNode(o.Nodes, node.Id), node) {
			return true
		}
	}
	return false
}

// EqualNode reports whether two nodes have the same id, address and
// metadata.
func EqualNode(a, b *Node) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	return a.Id == b.Id && a.Address == b.Address && maps.Equal(a.Metadata, b.Metadata)
}

// EqualEndpoints reports whether two endpoint lists are equal, value
// trees included.
func EqualEndpoints(a, b []*Endpoint) bool {
	return slices.EqualFunc(a, b, func(x, y *Endpoint) bool {
		if x == nil || y == nil {
			return x == y
		}
		return x.Name == y.Name && maps.Equal(x.Metadata, y.Metadata) &&
			equalValue(x.Request, y.Request) && equalValue(x.Response, y.Response)
	})
}

func equalValue(a, b *Value) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Name == b.Name && a.Type == b.Type && slices.EqualFunc(a.Values, b.Values, equalValue)
}
