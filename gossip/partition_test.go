package gossip_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/memberlist"
	"go.uber.org/goleak"

	"github.com/microreg/microreg/gossip"
	"github.com/microreg/microreg/internal/splitnet"
	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

// member is one node on a splitnet network.
type member struct {
	r    *gossip.Registry
	addr string
}

// splitCluster starts n members on network nw, each joined through the
// first, with the Local preset changed by tune.
func splitCluster(t *testing.T, nw *splitnet.Network, n int, tune func(*memberlist.Config), opts ...registry.Option) []member {
	t.Helper()
	base := goleak.IgnoreCurrent()
	var out []member
	for i := 0; i < n; i++ {
		tr, err := nw.Transport()
		if err != nil {
			t.Fatal(err)
		}
		cfg := tr.Use(gossip.LocalConfig())
		cfg.Name = fmt.Sprintf("m%02d", i)
		if tune != nil {
			tune(cfg)
		}
		var seeds []string
		if i > 0 {
			seeds = []string{out[0].addr}
		}
		out = append(out, member{node(t, seeds, append([]registry.Option{gossip.Config(cfg)}, opts...)...), tr.Addr()})
	}
	// Close them all at once when the test ends (each Close leaves the
	// cluster, which takes a moment; node's own cleanups then find them
	// closed).
	t.Cleanup(func() {
		var wg sync.WaitGroup
		for _, m := range out {
			wg.Add(1)
			go func() { defer wg.Done(); registry.Close(m.r) }()
		}
		wg.Wait()
		// memberlist's probes in flight end after their timeout, which a
		// loaded node scales up to 8 probe intervals: wait for them, so
		// the package's leak check sees none.
		deadline := time.Now().Add(20 * time.Second)
		for {
			err := goleak.Find(append(registrytest.GoMicroGoroutines(), base)...)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("goroutines left after closing every member: %v", err)
				break
			}
			time.Sleep(100 * time.Millisecond) // polling interval
		}
	})
	wait.Until(t, 60*time.Second, "the cluster formed", func() bool {
		for _, m := range out {
			if m.r.Members() != n {
				return false
			}
		}
		return true
	})
	return out
}

func addrs(ms []member) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.addr)
	}
	return out
}

// names lists the services r knows, sorted.
func names(r registry.Registry) []string {
	list, err := r.ListServices()
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range list {
		out = append(out, s.Name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// seeAll waits until every member lists exactly want.
func seeAll(t *testing.T, ms []member, within time.Duration, what string, want []string) time.Duration {
	t.Helper()
	slices.Sort(want)
	return wait.Until(t, within, what, func() bool {
		for _, m := range ms {
			if !slices.Equal(names(m.r), want) {
				return false
			}
		}
		return true
	})
}

// partition splits ms into a and b, makes changes on each side during the
// split, holds it for hold after each side has dropped the other's
// services, heals it, and checks that every member ends with the union of
// what is registered, with create events for what came back.
func partition(t *testing.T, nw *splitnet.Network, ms []member, cut int, hold time.Duration) time.Duration {
	t.Helper()
	for i, m := range ms {
		if err := m.r.Register(svc(fmt.Sprintf("s%02d", i), fmt.Sprintf("s%02d-1", i))); err != nil {
			t.Fatal(err)
		}
	}
	var all []string
	for i := range ms {
		all = append(all, fmt.Sprintf("s%02d", i))
	}
	took := seeAll(t, ms, 60*time.Second, "every member sees every service", all)
	t.Logf("every member saw every service in %v", took)

	// A watcher on the last member, to see the others' services come back.
	w, err := ms[len(ms)-1].r.Watch()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	var mu sync.Mutex
	created := map[string]int{}
	go func() {
		for {
			ev, err := w.Next()
			if err != nil {
				return
			}
			if ev.Action == registry.ActionCreate {
				mu.Lock()
				created[ev.Service.Name]++
				mu.Unlock()
			}
		}
	}()

	a, b := ms[:cut], ms[cut:]
	nw.Split(addrs(a), addrs(b))
	var sideA, sideB []string
	for i := range ms {
		if i < cut {
			sideA = append(sideA, fmt.Sprintf("s%02d", i))
		} else {
			sideB = append(sideB, fmt.Sprintf("s%02d", i))
		}
	}
	seeAll(t, a, 60*time.Second, "side a drops side b's services", sideA)
	seeAll(t, b, 60*time.Second, "side b drops side a's services", sideB)
	split := time.Now()

	// During the split: each side registers one service and deregisters
	// one of its own.
	if err := a[0].r.Register(svc("during-a", "during-a-1")); err != nil {
		t.Fatal(err)
	}
	if err := a[0].r.Deregister(svc("s00", "s00-1")); err != nil {
		t.Fatal(err)
	}
	if err := b[0].r.Register(svc("during-b", "during-b-1")); err != nil {
		t.Fatal(err)
	}
	last := fmt.Sprintf("s%02d", cut)
	if err := b[0].r.Deregister(svc(last, last+"-1")); err != nil {
		t.Fatal(err)
	}
	want := []string{"during-a", "during-b"}
	for _, n := range all {
		if n != "s00" && n != last {
			want = append(want, n)
		}
	}
	// Held past GossipToTheDeadTime: memberlist has stopped talking to
	// the other side and forgotten it.
	if d := time.Until(split.Add(hold)); d > 0 {
		time.Sleep(d) // the partition's length, the thing under test
	}
	back := fmt.Sprintf("s%02d", cut-1) // a service of side a that stays
	mu.Lock()
	before := created[back]
	mu.Unlock()
	nw.Heal()
	took = seeAll(t, ms, 60*time.Second, "every member sees the union after the heal", want)
	t.Logf("%d | %d split held %v: merged %v after the heal", len(a), len(b), time.Since(split).Round(time.Second)-took, took.Round(time.Millisecond))
	// Nothing deregistered during the split came back, anywhere, a while
	// after the merge either (push/pull has run).
	for _, m := range ms {
		for _, gone := range []string{"s00", last} {
			if found(m.r, gone) {
				t.Fatalf("%s, deregistered during the split, is back", gone)
			}
		}
	}
	mu.Lock()
	after := created[back]
	mu.Unlock()
	if after <= before {
		t.Errorf("the watcher on side b saw no create for side a's service that came back")
	}
	return took
}

// A 2 | 2 partition held past the Local preset's GossipToTheDeadTime
// (15 s) heals: after the network is whole the cluster merges, with each
// side's changes made during the split right everywhere.
func TestPartitionHealsTwoByTwo(t *testing.T) {
	nw := splitnet.New()
	ms := splitCluster(t, nw, 4, nil)
	partition(t, nw, ms, 2, 16*time.Second)
}

// A 10 | 20 partition heals the same way. (GossipToTheDeadTime is 3 s
// here, and the hold 4 s, to keep the test short; the mechanism is the
// same at any length past it. Probes wait 800 ms for an ack, not the
// Local preset's 200 ms: 30 members under the race detector on a loaded
// machine miss 200 ms acks and flap between suspect and alive, and the
// cluster takes minutes to look whole.)
func TestPartitionHealsTenByTwenty(t *testing.T) {
	nw := splitnet.New()
	ms := splitCluster(t, nw, 30, func(c *memberlist.Config) {
		c.GossipToTheDeadTime = 3 * time.Second
		c.ProbeInterval, c.ProbeTimeout = time.Second, 800*time.Millisecond
	})
	partition(t, nw, ms, 10, 4*time.Second)
}

// A member that left on purpose (Close) is never tried again, and one
// that failed is tried until the reconnect timeout, then forgotten.
func TestReconnectTriesOnlyFailedMembersForALimitedTime(t *testing.T) {
	nw := splitnet.New()
	logs := &capture{}
	ms := splitCluster(t, nw, 3, nil, registry.Logger(logs), gossip.Reconnect(200*time.Millisecond, 3*time.Second))
	if err := registry.Close(ms[1].r); err != nil {
		t.Fatal(err)
	}
	gossip.Crash(ms[2].r)
	wait.Until(t, 30*time.Second, "the crashed member is no longer tried", func() bool {
		return logs.contains("m02 failed 3s ago: no longer tried")
	})
	if logs.contains("m01 failed") {
		t.Fatal("the member that left was treated as failed")
	}
}
