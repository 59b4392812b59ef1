package engine

import (
	"errors"
	"fmt"
	"testing"
)

func TestStoreLimits(t *testing.T) {
	s := NewStore(WithLimits(2, 3))
	defer s.Close()
	svc := func(name string, ids ...string) *Service {
		out := &Service{Name: name, Version: "1"}
		for _, id := range ids {
			out.Nodes = append(out.Nodes, &Node{Id: id, Address: "127.0.0.1:1"})
		}
		return out
	}
	if err := s.Register(svc("a", "a1", "a2"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Register(svc("b", "b1"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Register(svc("c", "c1"), 0); !errors.Is(err, ErrLimit) {
		t.Fatalf("a third service: %v, want ErrLimit", err)
	}
	if err := s.Register(svc("b", "b2"), 0); !errors.Is(err, ErrLimit) {
		t.Fatalf("a fourth node: %v, want ErrLimit", err)
	}
	if err := s.Register(svc("a", "a1"), 0); err != nil {
		t.Fatalf("a node already held: %v", err)
	}
	if err := s.Replace("b", []*Service{svc("b", "b1", "b2", "b3")}); !errors.Is(err, ErrLimit) {
		t.Fatalf("a replacement over the limit: %v", err)
	}
	if got, _ := s.Get("b"); len(got) != 1 || len(got[0].Nodes) != 1 {
		t.Fatalf("a refused replacement changed b: %v", got)
	}
	if err := s.Deregister(svc("b", "b1")); err != nil {
		t.Fatal(err)
	}
	if err := s.Register(svc("c", "c1"), 0); err != nil {
		t.Fatalf("after a deregistration made room: %v", err)
	}
	if services, nodes := s.Counts(); services != 2 || nodes != 3 {
		t.Fatalf("counts %d services, %d nodes; want 2, 3", services, nodes)
	}
	// The defaults, through the options.
	d := NewStoreFor(*NewOptions(MaxNodes(0), MaxServices(-1)))
	defer d.Close()
	if d.limits != (viewLimits{DefaultMaxServices, DefaultMaxNodes}) {
		t.Fatalf("limits %+v, want the defaults", d.limits)
	}
	o := NewStoreFor(*NewOptions(MaxNodes(5), MaxServices(1)))
	defer o.Close()
	for i := range 2 {
		err := o.Register(svc(fmt.Sprint("s", i), "n"), 0)
		if (i == 1) != errors.Is(err, ErrLimit) {
			t.Fatalf("service %d with MaxServices(1): %v", i, err)
		}
	}
}
