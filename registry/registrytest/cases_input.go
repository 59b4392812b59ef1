package registrytest

import (
	"strings"
	"testing"

	"github.com/microreg/microreg/registry"
)

// badInput is one malformed Register call and the field its error names.
type badInput struct {
	name  string
	field string
	make  func(name string) *registry.Service
}

var badInputs = []badInput{
	{"NilService", "service", func(string) *registry.Service { return nil }},
	{"EmptyName", "name", func(string) *registry.Service {
		return &registry.Service{Nodes: []*registry.Node{{Id: "x", Address: "127.0.0.1:1"}}}
	}},
	{"OverlongName", "name", func(n string) *registry.Service {
		return &registry.Service{Name: n + strings.Repeat("x", registry.MaxNameLength), Nodes: []*registry.Node{{Id: "x", Address: "127.0.0.1:1"}}}
	}},
	{"NameWithSpace", "name", func(n string) *registry.Service {
		return &registry.Service{Name: n + " x", Nodes: []*registry.Node{{Id: "x", Address: "127.0.0.1:1"}}}
	}},
	{"NoNodes", "nodes", func(n string) *registry.Service { return &registry.Service{Name: n} }},
	{"NilNode", "nodes[0]", func(n string) *registry.Service { return &registry.Service{Name: n, Nodes: []*registry.Node{nil}} }},
	{"NodeWithoutID", "nodes[0].id", func(n string) *registry.Service {
		return &registry.Service{Name: n, Nodes: []*registry.Node{{Address: "127.0.0.1:1"}}}
	}},
	{"NodeWithoutAddress", "nodes[0].address", func(n string) *registry.Service {
		return &registry.Service{Name: n, Nodes: []*registry.Node{{Id: "x"}}}
	}},
	{"DuplicateNodeIDs", "nodes[1].id", func(n string) *registry.Service {
		return &registry.Service{Name: n, Nodes: []*registry.Node{{Id: "x", Address: "127.0.0.1:1"}, {Id: "x", Address: "127.0.0.1:2"}}}
	}},
	{"AddressWithoutPort", "nodes[0].address", func(n string) *registry.Service {
		return &registry.Service{Name: n, Nodes: []*registry.Node{{Id: "x", Address: "127.0.0.1"}}}
	}},
	{"PortOutOfRange", "nodes[0].address", func(n string) *registry.Service {
		return &registry.Service{Name: n, Nodes: []*registry.Node{{Id: "x", Address: "127.0.0.1:70000"}}}
	}},
	{"PortNotANumber", "nodes[0].address", func(n string) *registry.Service {
		return &registry.Service{Name: n, Nodes: []*registry.Node{{Id: "x", Address: "localhost:http"}}}
	}},
}

func init() {
	add("InvalidInputIsRejected", func(e *env) {
		for _, bad := range badInputs {
			e.t.Run(bad.name, func(t *testing.T) {
				err := e.a.Register(bad.make(e.name("bad")))
				if err := isInvalid(err, bad.field); err != nil {
					t.Fatalf("Register: %v", err)
				}
			})
		}
		if err := isInvalid(e.a.Deregister(nil), "service"); err != nil {
			e.t.Fatalf("Deregister(nil): %v", err)
		}
		if err := isInvalid(e.a.Deregister(&registry.Service{Name: e.name("bad"), Nodes: []*registry.Node{{}}}), "nodes[0].id"); err != nil {
			e.t.Fatalf("Deregister of a node without id: %v", err)
		}
		e.has(e.a, e.name("bad"))
	})
	add("RejectedCallChangesNothing", func(e *env) {
		name := e.name("intact")
		s := service(name, "1.0.0", node("intact-1", "127.0.0.1:8501"))
		e.mustRegister(e.a, s)
		e.has(e.b, name, s)
		bad := service(name, "1.0.0", node("intact-1", "127.0.0.1:9999"), node("intact-1", "127.0.0.1:9998"))
		bad.Metadata = map[string]string{"team": "bad"}
		if err := isInvalid(e.a.Register(bad), "nodes[1].id"); err != nil {
			e.t.Fatal(err)
		}
		// A later valid change shows that the rejected one never landed.
		marker := service(e.name("intact-marker"), "1.0.0", node("marker-1", "127.0.0.1:8502"))
		e.mustRegister(e.a, marker)
		e.has(e.b, marker.Name, marker)
		e.has(e.a, name, s)
		e.has(e.b, name, s)
	})
}
