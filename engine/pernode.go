package engine

// PerNode splits s into one service per node, in the order of s.Nodes:
// the form in which every backend stores, announces and expires a
// registration (a Consul instance, an mDNS instance, a gossip entry). The
// services are shallow: they share s's metadata, endpoints and nodes, so
// copy one (CopyService) before keeping it.
func PerNode(s *Service) []*Service {
	out := make([]*Service, len(s.Nodes))
	for i, n := range s.Nodes {
		out[i] = withNodes(s, []*Node{n})
	}
	return out
}

// withNodes is a shallow copy of s with other nodes.
func withNodes(s *Service, nodes []*Node) *Service {
	c := *s
	c.Nodes = nodes
	return &c
}
