package consul_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/registry"
)

func svc(name, id string, meta string) *registry.Service {
	return &registry.Service{Name: name, Version: "1.0.0", Metadata: map[string]string{"rev": meta},
		Nodes: []*registry.Node{{Id: id, Address: "127.0.0.1:9090"}}}
}

func open(t *testing.T, addr string, opts ...registry.Option) registry.Registry {
	t.Helper()
	r := consul.NewRegistry(append([]registry.Option{registry.Addrs(addr)}, opts...)...)
	t.Cleanup(func() { registry.Close(r) })
	return r
}

// clients holds one API client per agent address, so that polling does
// not open a connection per call (an agent allows 200 per client).
var clients sync.Map

// instances counts the agent's catalog entries for name, passing or not.
func instances(addr, name string) (int, error) {
	var c *api.Client
	if v, ok := clients.Load(addr); ok {
		c = v.(*api.Client)
	} else {
		var err error
		if c, err = api.NewClient(&api.Config{Address: addr}); err != nil {
			return 0, err
		}
		clients.Store(addr, c)
	}
	entries, _, err := c.Health().Service(name, "", false, nil)
	return len(entries), err
}

func TestAgentRestartReregisters(t *testing.T) {
	agent := consultest.StartDev(t)
	r := open(t, agent.HTTPAddr, consul.CheckTTL(time.Second))
	if err := r.Register(svc("restart", "restart-1", "a")); err != nil {
		t.Fatal(err)
	}
	agent.Kill()
	agent.Start(t) // a -dev agent comes back empty
	agent.WaitLeader(t, 30*time.Second)
	took := wait.Until(t, 5*time.Second, "the heartbeat registers the node again", func() error {
		n, err := instances(agent.HTTPAddr, "restart")
		if err != nil || n == 0 {
			return fmt.Errorf("%d instances, %v", n, err)
		}
		return nil
	})
	t.Logf("re-registered %v after the agent was back", took)
	if n, err := instances(agent.HTTPAddr, "restart"); err != nil || n != 1 {
		t.Fatalf("%d instances after the restart (%v), want exactly 1", n, err)
	}
	other := open(t, agent.HTTPAddr)
	wait.Until(t, 5*time.Second, "another registry finds it", func() error {
		_, err := other.GetService("restart")
		return err
	})
}

func TestKilledRegistrantDisappears(t *testing.T) {
	agent := consultest.StartDev(t)
	b := open(t, agent.HTTPAddr)
	a := consul.NewRegistry(registry.Addrs(agent.HTTPAddr), consul.CheckTTL(time.Second))
	if err := a.Register(svc("killed", "killed-1", "a")); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 5*time.Second, "b finds it", func() error { _, err := b.GetService("killed"); return err })
	// Close stops the heartbeat without deregistering: to Consul, the
	// process is gone without a word.
	registry.Close(a)
	took := wait.Until(t, 5*time.Second, "the silent node leaves GetService", func() error {
		if _, err := b.GetService("killed"); err != registry.ErrNotFound { //nolint:errorlint // identity promised
			return fmt.Errorf("still found (%v)", err)
		}
		return nil
	})
	t.Logf("gone from GetService %v after its heartbeat stopped (check TTL 1s)", took)
}

func TestLeaderLossLosesNothing(t *testing.T) {
	cluster := consultest.StartCluster(t, 3)
	leader := cluster.LeaderAgent(t)
	follower := cluster.Followers(leader)[0]
	writer := open(t, cluster.Client.HTTPAddr)
	reader := open(t, follower.HTTPAddr)
	w, err := reader.Watch()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]string{} // service -> last rev seen by the watcher
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			ev, err := w.Next()
			if errors.Is(err, registry.ErrWatcherStopped) {
				return
			}
			if err != nil {
				continue // the leaderless gap: reported, and the watcher goes on
			}
			if ev.Action != registry.ActionDelete {
				mu.Lock()
				seen[ev.Service.Name] = ev.Service.Metadata["rev"]
				mu.Unlock()
			}
		}
	}()
	defer func() { w.Stop(); <-done }()
	const n = 50
	watched := func(rev string) func() error {
		return func() error {
			mu.Lock()
			defer mu.Unlock()
			missing := 0
			for i := 0; i < n; i++ {
				if seen[fmt.Sprintf("svc%02d", i)] != rev {
					missing++
				}
			}
			if missing > 0 {
				return fmt.Errorf("%d of %d not seen at rev %s", missing, n, rev)
			}
			return nil
		}
	}
	for i := 0; i < n; i++ {
		if err := writer.Register(svc(fmt.Sprintf("svc%02d", i), fmt.Sprintf("node%02d", i), "1")); err != nil {
			t.Fatal(err)
		}
	}
	wait.Until(t, 30*time.Second, "the watcher on a follower sees all 50", watched("1"))

	leader.Kill()
	start := time.Now()
	newLeader := cluster.Client.WaitLeader(t, 30*time.Second)
	for isAgent(newLeader, leader) {
		newLeader = cluster.Client.WaitLeader(t, 30*time.Second)
	}
	t.Logf("new leader %s after %v", newLeader, time.Since(start))

	for i := 0; i < n; i++ {
		if err := writer.Register(svc(fmt.Sprintf("svc%02d", i), fmt.Sprintf("node%02d", i), "2")); err != nil {
			t.Fatalf("write after the election: %v", err)
		}
	}
	wait.Until(t, 30*time.Second, "the watcher sees every change made after the election", watched("2"))
	for i := 0; i < n; i++ {
		got, err := reader.GetService(fmt.Sprintf("svc%02d", i))
		if err != nil || len(got) != 1 || len(got[0].Nodes) != 1 || got[0].Metadata["rev"] != "2" {
			t.Fatalf("svc%02d after the leader died: %v, %v", i, got, err)
		}
	}
}

func isAgent(addr string, a *consultest.Agent) bool {
	return len(addr) > len(a.IP) && addr[:len(a.IP)+1] == a.IP+":"
}

// A node registered again under an id whose check is critical (its
// earlier process died and the check ran out) is passing as soon as
// Register returns: the agent keeps a known check's old status through a
// registration, so the registry passes it.
func TestRegisterOverACriticalCheckPassesAtOnce(t *testing.T) {
	agent := consultest.StartDev(t)
	c, err := api.NewClient(&api.Config{Address: agent.HTTPAddr})
	if err != nil {
		t.Fatal(err)
	}
	first := open(t, agent.HTTPAddr)
	if err := first.Register(svc("phoenix", "phoenix-1", "a")); err != nil {
		t.Fatal(err)
	}
	registry.Close(first) // its process died: no more heartbeats
	if err := c.Agent().UpdateTTL("service:phoenix-1", "ran out", api.HealthCritical); err != nil {
		t.Fatal(err)
	}
	status := func() string {
		checks, err := c.Agent().ChecksWithFilter(`CheckID == "service:phoenix-1"`)
		if err != nil || len(checks) != 1 {
			t.Fatalf("the agent's checks: %v, %v", checks, err)
		}
		for _, h := range checks {
			return h.Status
		}
		return ""
	}
	if s := status(); s != api.HealthCritical {
		t.Fatalf("before: %s, want critical", s)
	}
	second := open(t, agent.HTTPAddr)
	if err := second.Register(svc("phoenix", "phoenix-1", "a")); err != nil {
		t.Fatal(err)
	}
	if s := status(); s != api.HealthPassing {
		t.Fatalf("right after Register: %s, want passing", s)
	}
}
