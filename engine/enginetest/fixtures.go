package enginetest

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/microreg/microreg/engine"
)

// node returns a node with a little metadata.
func node(id, addr string) *engine.Node {
	return &engine.Node{Id: id, Address: addr, Metadata: map[string]string{"protocol": "mucp", "node": id}}
}

// service returns a service with metadata, one endpoint and nodes.
func service(name, version string, nodes ...*engine.Node) *engine.Service {
	return &engine.Service{
		Name:     name,
		Version:  version,
		Metadata: map[string]string{"team": "core"},
		Endpoints: []*engine.Endpoint{{
			Name:     "Greeter.Hello",
			Request:  &engine.Value{Name: "Request", Type: "Request", Values: []*engine.Value{{Name: "name", Type: "string"}}},
			Response: &engine.Value{Name: "Response", Type: "Response", Values: []*engine.Value{{Name: "msg", Type: "string"}}},
			Metadata: map[string]string{"stream": "false"},
		}},
		Nodes: nodes,
	}
}

// richService has nested values three levels deep and awkward metadata.
func richService(name string) *engine.Service {
	s := service(name, "2.1.0-rc.1+build.7", node("rich-1", "127.0.0.1:9001"))
	s.Metadata = map[string]string{"unicode": "héllo, 世界", "empty": "", "k=v;x": "a,b\"c", "json": `{"a":[1,2]}`}
	s.Nodes[0].Metadata = map[string]string{"transport": "grpc", "zone": "eu-west-1a", "weight": "10"}
	s.Endpoints = append(s.Endpoints, &engine.Endpoint{
		Name: "Store.Put",
		Request: &engine.Value{Name: "PutRequest", Type: "PutRequest", Values: []*engine.Value{
			{Name: "record", Type: "Record", Values: []*engine.Value{
				{Name: "key", Type: "string"},
				{Name: "tags", Type: "[]string"},
				{Name: "meta", Type: "Meta", Values: []*engine.Value{{Name: "created", Type: "int64"}}},
			}},
		}},
		Response: &engine.Value{Name: "PutResponse", Type: "PutResponse"},
		Metadata: map[string]string{"stream": "true", "method": "POST"},
	})
	return s
}

// largeService has 200 endpoints and 4 KiB of metadata.
func largeService(name string) *engine.Service {
	s := service(name, "1.0.0", node("large-1", "127.0.0.1:9002"))
	s.Metadata = map[string]string{}
	for i := 0; i < 16; i++ {
		s.Metadata[fmt.Sprintf("key-%02d", i)] = strings.Repeat(string(rune('a'+i)), 256)
	}
	s.Endpoints = nil
	for i := 0; i < 200; i++ {
		s.Endpoints = append(s.Endpoints, &engine.Endpoint{
			Name:     fmt.Sprintf("Handler.Method%03d", i),
			Request:  &engine.Value{Name: "Request", Type: fmt.Sprintf("Req%03d", i), Values: []*engine.Value{{Name: "id", Type: "string"}}},
			Response: &engine.Value{Name: "Response", Type: fmt.Sprintf("Rsp%03d", i)},
			Metadata: map[string]string{"stream": "false"},
		})
	}
	return s
}

// sameServices reports, as an error, how got differs from want, ignoring
// the order of versions and nodes and the difference between nil and
// empty maps and slices.
func sameServices(got, want []*engine.Service) error {
	g, w := normalize(got), normalize(want)
	if len(g) != len(w) {
		return fmt.Errorf("got %d versions %s, want %d %s", len(g), describe(g), len(w), describe(w))
	}
	for i := range w {
		if err := sameService(g[i], w[i]); err != nil {
			return err
		}
	}
	return nil
}

func sameService(g, w *engine.Service) error {
	switch {
	case g.Name != w.Name || g.Version != w.Version:
		return fmt.Errorf("got %s@%s, want %s@%s", g.Name, g.Version, w.Name, w.Version)
	case !maps.Equal(g.Metadata, w.Metadata):
		return fmt.Errorf("%s@%s metadata: got %v, want %v", w.Name, w.Version, g.Metadata, w.Metadata)
	case !engine.EqualEndpoints(g.Endpoints, w.Endpoints):
		return fmt.Errorf("%s@%s endpoints differ: got %d, want %d", w.Name, w.Version, len(g.Endpoints), len(w.Endpoints))
	case len(g.Nodes) != len(w.Nodes):
		return fmt.Errorf("%s@%s: got nodes %s, want %s", w.Name, w.Version, nodeIDs(g.Nodes), nodeIDs(w.Nodes))
	}
	for i := range w.Nodes {
		if !engine.EqualNode(g.Nodes[i], w.Nodes[i]) {
			return fmt.Errorf("%s@%s node %s: got %+v, want %+v", w.Name, w.Version, w.Nodes[i].Id, *g.Nodes[i], *w.Nodes[i])
		}
	}
	return nil
}

func normalize(list []*engine.Service) []*engine.Service {
	out := engine.CopyServices(list)
	slices.SortFunc(out, func(a, b *engine.Service) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version))
	})
	for _, s := range out {
		slices.SortFunc(s.Nodes, func(a, b *engine.Node) int { return cmp.Compare(a.Id, b.Id) })
	}
	return out
}

func describe(list []*engine.Service) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = s.Name + "@" + s.Version + nodeIDs(s.Nodes)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func nodeIDs(nodes []*engine.Node) string {
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.Id
	}
	slices.Sort(ids)
	return "{" + strings.Join(ids, ",") + "}"
}

// has waits until r's GetService(name) equals want (nil: ErrNotFound).
func (e *env) has(r engine.Registry, name string, want ...*engine.Service) {
	e.t.Helper()
	e.eventually(fmt.Sprintf("GetService(%q) on %s", name, r), func() error {
		got, err := r.GetService(name)
		if len(want) == 0 {
			if err != engine.ErrNotFound { //nolint:errorlint // the sentinel itself is promised
				return fmt.Errorf("want ErrNotFound itself (go-micro's, unwrapped, through a face), got %v, %v", describe(got), err)
			}
			return nil
		}
		if err != nil {
			return err
		}
		return sameServices(got, want)
	})
}

// mustRegister registers s on r and fails the test on error.
func (e *env) mustRegister(r engine.Registry, s *engine.Service, opts ...engine.RegisterOption) {
	e.t.Helper()
	if err := r.Register(s, opts...); err != nil {
		e.t.Fatalf("Register(%s@%s): %v", s.Name, s.Version, err)
	}
}

// mustDeregister deregisters s on r and fails the test on error.
func (e *env) mustDeregister(r engine.Registry, s *engine.Service) {
	e.t.Helper()
	if err := r.Deregister(s); err != nil {
		e.t.Fatalf("Deregister(%s@%s): %v", s.Name, s.Version, err)
	}
}

// isInvalid checks err is a validation error that names field.
func isInvalid(err error, field string) error {
	if !errors.Is(err, engine.ErrInvalidService) {
		return fmt.Errorf("want an error wrapping ErrInvalidService, got %v", err)
	}
	if !strings.Contains(err.Error(), field) {
		return fmt.Errorf("error %q does not name the field %q", err, field)
	}
	return nil
}
