package etcd

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/microreg/microreg/engine"
)

// The key layout is go-micro's etcd registries' (the v4 plugin's and v5
// core's), so that a fleet moves one service at a time: one key per node,
// PREFIX<service>/<node id> with "/" in either made "-", holding the JSON
// of a Service with that one node.

// nodeKey is the key of node id of service.
func nodeKey(prefix, service, id string) string {
	return path.Join(prefix, strings.ReplaceAll(service, "/", "-"), strings.ReplaceAll(id, "/", "-"))
}

// encodeNode is the value of node n of s: s with only n, as JSON.
func encodeNode(s *engine.Service, n *engine.Node) ([]byte, error) {
	one := engine.Service{Name: s.Name, Version: s.Version, Metadata: s.Metadata, Endpoints: s.Endpoints, Nodes: []*engine.Node{n}}
	b, err := json.Marshal(&one)
	if err != nil {
		return nil, fmt.Errorf("etcd: encode %s node %s: %w", s.Name, n.Id, err)
	}
	return b, nil
}

// errBadValue is wrapped by decodeNode's errors.
var errBadValue = errors.New("not a registration")

// decodeNode reads a key's value: a Service with at least one node (the
// rivals and microreg write exactly one).
func decodeNode(b []byte) (*engine.Service, error) {
	var s engine.Service
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadValue, err)
	}
	if s.Name == "" || len(s.Nodes) == 0 {
		return nil, fmt.Errorf("%w: no name or no node", errBadValue)
	}
	nodes := s.Nodes[:0]
	for _, n := range s.Nodes {
		if n != nil && n.Id != "" {
			nodes = append(nodes, n)
		}
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("%w: no node with an id", errBadValue)
	}
	s.Nodes = nodes
	return &s, nil
}

// checkPrefix says whether p can be a prefix.
func checkPrefix(p string) error {
	if !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/") || len(p) < 2 {
		return fmt.Errorf("%w: etcd.Prefix %q must start and end with \"/\"", ErrConfig, p)
	}
	return nil
}
