package enginetest

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/microreg/microreg/engine"
)

// badInput is one malformed Register call and the field its error names.
type badInput struct {
	name  string
	field string
	make  func(name string) *engine.Service
}

var badInputs = []badInput{
	{"NilService", "service", func(string) *engine.Service { return nil }},
	{"EmptyName", "name", func(string) *engine.Service {
		return &engine.Service{Nodes: []*engine.Node{{Id: "x", Address: "127.0.0.1:1"}}}
	}},
	{"OverlongName", "name", func(n string) *engine.Service {
		return &engine.Service{Name: n + strings.Repeat("x", engine.MaxNameLength), Nodes: []*engine.Node{{Id: "x", Address: "127.0.0.1:1"}}}
	}},
	{"NameWithSpace", "name", func(n string) *engine.Service {
		return &engine.Service{Name: n + " x", Nodes: []*engine.Node{{Id: "x", Address: "127.0.0.1:1"}}}
	}},
	{"NoNodes", "nodes", func(n string) *engine.Service { return &engine.Service{Name: n} }},
	{"NilNode", "nodes[0]", func(n string) *engine.Service { return &engine.Service{Name: n, Nodes: []*engine.Node{nil}} }},
	{"NodeWithoutID", "nodes[0].id", func(n string) *engine.Service {
		return &engine.Service{Name: n, Nodes: []*engine.Node{{Address: "127.0.0.1:1"}}}
	}},
	{"NodeWithoutAddress", "nodes[0].address", func(n string) *engine.Service {
		return &engine.Service{Name: n, Nodes: []*engine.Node{{Id: "x"}}}
	}},
	{"DuplicateNodeIDs", "nodes[1].id", func(n string) *engine.Service {
		return &engine.Service{Name: n, Nodes: []*engine.Node{{Id: "x", Address: "127.0.0.1:1"}, {Id: "x", Address: "127.0.0.1:2"}}}
	}},
	{"AddressWithoutPort", "nodes[0].address", func(n string) *engine.Service {
		return &engine.Service{Name: n, Nodes: []*engine.Node{{Id: "x", Address: "127.0.0.1"}}}
	}},
	{"PortOutOfRange", "nodes[0].address", func(n string) *engine.Service {
		return &engine.Service{Name: n, Nodes: []*engine.Node{{Id: "x", Address: "127.0.0.1:70000"}}}
	}},
	{"PortNotANumber", "nodes[0].address", func(n string) *engine.Service {
		return &engine.Service{Name: n, Nodes: []*engine.Node{{Id: "x", Address: "localhost:http"}}}
	}},
}

// caseInvalidInputIsRejected is the conformance case InvalidInputIsRejected.
func caseInvalidInputIsRejected(e *env) {
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
	if err := isInvalid(e.a.Deregister(&engine.Service{Name: e.name("bad"), Nodes: []*engine.Node{{}}}), "nodes[0].id"); err != nil {
		e.t.Fatalf("Deregister of a node without id: %v", err)
	}
	e.has(e.a, e.name("bad"))
}

// caseRejectedCallChangesNothing is the conformance case RejectedCallChangesNothing.
func caseRejectedCallChangesNothing(e *env) {
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
}

// caseOversizedServiceIsRejected is the conformance case OversizedServiceIsRejected.
func caseOversizedServiceIsRejected(e *env) {
	name := e.name("oversized")
	s := service(name, "1.0.0", node("oversized-1", "127.0.0.1:8503"))
	e.mustRegister(e.a, s)
	e.has(e.b, name, s)
	big := service(name, "1.0.0", node("oversized-1", "127.0.0.1:8503"), node("oversized-2", "127.0.0.1:8504"))
	big.Nodes[1].Metadata = map[string]string{"blob": incompressible(engine.MaxServiceSize + 1)}
	if err := e.a.Register(big); !errors.Is(err, engine.ErrTooLarge) {
		e.t.Fatalf("Register of a %d-byte service: %v, want an error wrapping ErrTooLarge", engine.Size(big), err)
	}
	lone := service(e.name("oversized-new"), "1.0.0", node("oversized-3", "127.0.0.1:8505"))
	lone.Metadata = map[string]string{"blob": incompressible(engine.MaxServiceSize + 1)}
	if err := e.a.Register(lone); !errors.Is(err, engine.ErrTooLarge) {
		e.t.Fatalf("Register of a new %d-byte service: %v, want an error wrapping ErrTooLarge", engine.Size(lone), err)
	}
	// A later valid change shows that the rejected ones never landed.
	marker := service(e.name("oversized-marker"), "1.0.0", node("marker-2", "127.0.0.1:8506"))
	e.mustRegister(e.a, marker)
	e.has(e.b, marker.Name, marker)
	e.has(e.a, name, s)
	e.has(e.b, name, s)
	e.has(e.b, lone.Name)
}

// incompressible returns n bytes of random letters and digits, which no
// backend's compression brings under its limit.
func incompressible(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}
