package gossip_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/microreg/microreg/gossip"
	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/registry"
)

// Two clusters with different names never merge: a node told to join a
// member of the other is refused, with ErrRejected from New and Init and
// a log line naming the cause; a node with the same name joins.
func TestClusterNamesKeepClustersApart(t *testing.T) {
	blue := node(t, nil, gossip.ClusterName("blue"))
	if err := blue.Register(svc("blue-svc", "blue-1")); err != nil {
		t.Fatal(err)
	}
	logs := &capture{}
	_, err := gossip.New(gossip.BindAddress("127.0.0.1", 0), registry.Addrs(addr(t, blue)),
		gossip.ClusterName("green"), registry.Logger(logs))
	if !errors.Is(err, gossip.ErrRejected) {
		t.Fatalf("New joining another cluster: %v, want ErrRejected", err)
	}
	if !logs.contains(`this node's cluster name is "green"`) {
		t.Fatalf("no log line names the cluster: %q", logs.lines)
	}
	green := node(t, nil, gossip.ClusterName("green"))
	if err := green.Init(registry.Addrs(addr(t, blue))); !errors.Is(err, gossip.ErrRejected) {
		t.Fatalf("Init joining another cluster: %v, want ErrRejected", err)
	}
	unnamed := node(t, nil)
	if err := unnamed.Init(registry.Addrs(addr(t, blue))); !errors.Is(err, gossip.ErrRejected) {
		t.Fatalf("an unnamed node joining a named cluster: %v, want ErrRejected", err)
	}
	if blue.Members() != 1 || found(green, "blue-svc") || found(unnamed, "blue-svc") {
		t.Fatal("the clusters merged")
	}
	if err := green.Init(gossip.ClusterName("blue")); err == nil {
		t.Fatal("the cluster name of a running node changed")
	}
	sameName := node(t, []string{addr(t, blue)}, gossip.ClusterName("blue"))
	wait.Until(t, 10*time.Second, "a member of the same cluster sees its service", func() bool { return found(sameName, "blue-svc") })
}

// Keys rotate with no downtime: three members move from k1 to k2 through
// Init, one step at a time on each member, and every step a registration
// reaches every member; afterwards a node with only the old key is
// refused.
func TestRollingKeyRotation(t *testing.T) {
	k1, k2 := []byte("0123456789abcdef"), []byte("fedcba9876543210")
	seed := node(t, nil, gossip.SecretKeys(k1))
	ms := []*gossip.Registry{seed,
		node(t, []string{addr(t, seed)}, gossip.SecretKeys(k1)),
		node(t, []string{addr(t, seed)}, gossip.SecretKeys(k1))}
	wait.Until(t, 10*time.Second, "the cluster formed", func() bool { return ms[2].Members() == 3 })
	for step, keys := range [][][]byte{{k1, k2}, {k2, k1}, {k2}} {
		for i, m := range ms {
			if err := m.Init(gossip.SecretKeys(keys...)); err != nil {
				t.Fatalf("step %d, member %d: %v", step, i, err)
			}
			// Between members' steps the cluster works too.
			name := fmt.Sprintf("rot-%d-%d", step, i)
			if err := ms[(i+1)%3].Register(svc(name, name+"-1")); err != nil {
				t.Fatal(err)
			}
			for j, other := range ms {
				wait.Until(t, 10*time.Second, fmt.Sprintf("step %d: member %d sees %s", step, j, name), func() bool { return found(other, name) })
			}
		}
	}
	for _, m := range ms {
		if m.Members() != 3 {
			t.Fatalf("a member sees %d members after the rotation", m.Members())
		}
	}
	if _, err := gossip.New(gossip.BindAddress("127.0.0.1", 0), registry.Addrs(addr(t, seed)), gossip.SecretKeys(k1)); !errors.Is(err, gossip.ErrRejected) {
		t.Fatalf("a node with the retired key: %v, want ErrRejected", err)
	}
	if err := node(t, nil).Init(gossip.SecretKeys(k1)); err == nil {
		t.Fatal("encryption turned on in a running node")
	}
}

// A burst of 1,000 registrations on one member of ten reaches every
// other member, coalesced into pushes of the member's state instead of
// waiting for gossip rounds and push/pull.
//
// Push/pull is off here, so that only the burst's own pushes (and
// gossip) can deliver it, and probes are as patient as in the 10 | 20
// partition test: under the race detector on a loaded machine the
// member registering the burst misses the Local preset's 200 ms acks,
// is declared dead, and has its registrations dropped and asked for
// again, which is failure detection, not what this test is about.
func TestBurstReachesEveryMember(t *testing.T) {
	cfg := func() registry.Option {
		c := gossip.LocalConfig()
		c.Name = ""            // each node its own random name
		c.PushPullInterval = 0 // memberlist: no periodic state exchange
		c.ProbeInterval, c.ProbeTimeout = time.Second, 800*time.Millisecond
		c.SuspicionMult = 4
		return gossip.Config(c)
	}
	// Without periodic push/pull, membership spreads only by gossip,
	// which a loaded machine drops. A join is a push/pull, so each node
	// joins every member before it, and every pair learns of each other
	// directly.
	var ms []*gossip.Registry
	var seeds []string
	for i := 0; i < 10; i++ {
		m := node(t, seeds, cfg())
		ms, seeds = append(ms, m), append(seeds, addr(t, m))
	}
	wait.Until(t, 30*time.Second, "the cluster formed", func() bool {
		for _, m := range ms {
			if m.Members() != 10 {
				return false
			}
		}
		return true
	})
	const n = 1000
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := ms[3].Register(svc(fmt.Sprintf("burst-%04d", i), fmt.Sprintf("burst-%04d-1", i))); err != nil {
			t.Fatal(err)
		}
	}
	// The bound stated in the package doc is 2 s (measured in bench/, where
	// it belongs). With push/pull off the bound here is no measurement:
	// 30 s leaves room for the race detector and a machine busy with other
	// packages' tests.
	took := wait.Until(t, 30*time.Second, "every member lists the whole burst", func() bool {
		for _, m := range ms {
			list, err := m.ListServices()
			if err != nil || len(list) != n {
				return false
			}
		}
		return true
	})
	t.Logf("1,000 registrations on one of 10 members listed by all in %v (registering took %v)", took, time.Since(start)-took)
}
