package engine_test

import (
	"errors"
	"testing"

	"github.com/microreg/microreg/engine"
)

func TestValidateServiceAccepts(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:8080", "[::]:10004", "localhost:9999", "[fe80::1%lo]:1", "svc.example:65535"} {
		s := &engine.Service{Name: "go.micro.srv.greeter", Nodes: []*engine.Node{{Id: "a", Address: addr}}}
		if err := engine.ValidateService(s); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
}

func TestFieldError(t *testing.T) {
	err := engine.ValidateService(&engine.Service{Name: "x", Nodes: []*engine.Node{{Id: "a", Address: "h:0"}}})
	var fe *engine.FieldError
	if !errors.As(err, &fe) || fe.Field != "nodes[0].address" || fe.Service != "x" || !errors.Is(err, engine.ErrInvalidService) {
		t.Fatalf("got %#v", err)
	}
}

// FuzzValidateService checks that validation never panics and that what it
// accepts a Store takes and hands back intact.
func FuzzValidateService(f *testing.F) {
	f.Add("greeter", "1.0.0", "n1", "127.0.0.1:8080", "k", "v")
	f.Add("", "", "", "", "", "")
	f.Add("a b", "v", "id", "[::1]:0", "\x00", "\xff")
	f.Fuzz(func(t *testing.T, name, version, id, addr, key, value string) {
		s := &engine.Service{Name: name, Version: version, Metadata: map[string]string{key: value},
			Nodes: []*engine.Node{{Id: id, Address: addr, Metadata: map[string]string{key: value}}}}
		err := engine.ValidateService(s)
		if err != nil {
			if !errors.Is(err, engine.ErrInvalidService) {
				t.Fatalf("validation error does not wrap ErrInvalidService: %v", err)
			}
			return
		}
		st := engine.NewStore()
		defer st.Close()
		if err := st.Register(s, 0); err != nil {
			t.Fatalf("Store rejected a valid service: %v", err)
		}
		got, err := st.Get(name)
		if err != nil || len(got) != 1 || !engine.EqualNode(got[0].Nodes[0], s.Nodes[0]) {
			t.Fatalf("round trip: %v, %v", got, err)
		}
	})
}
