package gossip_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/microreg/microreg/gossip"
	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

// TestMemberOverItsLimit: a member that registers without end (here one
// whose own limit was raised, as a buggy or hostile member ignores it)
// has only the limit's worth of nodes held by the others; the excess is
// refused, logged once and named by doctor, and other members' services
// keep working.
func TestMemberOverItsLimit(t *testing.T) {
	const limit, pushed = 40, 100
	hog := node(t, nil, gossip.NodeName("hog"), gossip.MaxNodesPerMember(1_000_000))
	b := node(t, []string{addr(t, hog)}, gossip.NodeName("b"), gossip.MaxNodesPerMember(limit), quiet())
	c := node(t, []string{addr(t, hog)}, gossip.NodeName("c"))
	for i := range pushed {
		if err := hog.Register(svc(fmt.Sprintf("flood%03d", i), fmt.Sprintf("flood-%03d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Register(svc("legit", "legit-1")); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 15*time.Second, "b sees c's service and refused the hog's excess", func() bool {
		f, _ := registrytest.Diagnose(b, "").Check("limits")
		return found(b, "legit") && f.Status == registry.StatusWarn
	})
	list, err := b.ListServices()
	if err != nil {
		t.Fatal(err)
	}
	held := 0
	for _, s := range list {
		if s.Name != "legit" {
			held++
		}
	}
	if held != limit {
		t.Fatalf("b holds %d of the hog's %d nodes, want its limit %d", held, pushed, limit)
	}
	expectCheck(t, checkOf(t, b, "", "limits"), registry.StatusWarn, "at most 40 nodes per member", "refused", "hog (", "gossip.MaxNodesPerMember")

	// A member's own registrations past its limit are an error.
	small := node(t, nil, gossip.MaxNodesPerMember(2), quiet())
	for i := range 3 {
		err := small.Register(svc(fmt.Sprint("own", i), fmt.Sprint("own-", i)))
		if (i == 2) != errors.Is(err, registry.ErrLimit) {
			t.Fatalf("own registration %d with a limit of 2: %v", i, err)
		}
	}
	if err := small.Register(svc("own0", "own-0")); err != nil {
		t.Fatalf("a node already held, registered again: %v", err)
	}
}
