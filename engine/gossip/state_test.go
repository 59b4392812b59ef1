package gossip

import (
	"testing"

	"github.com/microreg/microreg/engine"
)

func remote(op string, epoch int64, ltime uint64, addr string) *update {
	return &update{Origin: "peer", Epoch: epoch, LTime: ltime, Op: op,
		Service: &engine.Service{Name: "svc", Version: "1", Nodes: []*engine.Node{{Id: "n1", Address: addr}}}}
}

func addrOf(t *testing.T, g *Registry) string {
	t.Helper()
	got, err := g.store.Get("svc")
	if err != nil {
		return ""
	}
	return got[0].Nodes[0].Address
}

func TestOrderingNeverResurrectsOrRollsBack(t *testing.T) {
	r, err := New(BindAddress("127.0.0.1", 0))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	g := r
	apply := func(u *update) {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.applyRemote([]*update{u})
	}
	apply(remote(opRegister, 1, 5, "127.0.0.1:5"))
	apply(remote(opRegister, 1, 4, "127.0.0.1:4")) // late, older
	if a := addrOf(t, g); a != "127.0.0.1:5" {
		t.Fatalf("an older update rolled back a newer one: %q", a)
	}
	apply(remote(opDeregister, 1, 6, ""))
	apply(remote(opRegister, 1, 5, "127.0.0.1:5")) // duplicate of an older one
	if a := addrOf(t, g); a != "" {
		t.Fatalf("a duplicate brought back a deregistered node at %q", a)
	}
	apply(remote(opRegister, 2, 1, "127.0.0.1:7")) // the origin restarted
	if a := addrOf(t, g); a != "127.0.0.1:7" {
		t.Fatalf("a restarted origin's registration was ignored: %q", a)
	}
	g.mu.Lock()
	g.forgetOrigin("peer", 2)
	g.mu.Unlock()
	apply(remote(opRegister, 2, 9, "127.0.0.1:9")) // late message of the dead incarnation
	if a := addrOf(t, g); a != "" {
		t.Fatalf("a message from a dead incarnation brought its node back at %q", a)
	}
}
