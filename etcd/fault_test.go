package etcd_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/etcd"
	"github.com/microreg/microreg/internal/etcdtest"
	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

// recorder keeps every event a watcher returns.
type recorder struct {
	mu     sync.Mutex
	events []string // "action id" per node
}

func record(t *testing.T, r registry.Registry, opts ...registry.WatchOption) *recorder {
	t.Helper()
	w, err := r.Watch(opts...)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			res, err := w.Next()
			if err != nil {
				return
			}
			rec.mu.Lock()
			for _, n := range res.Service.Nodes {
				rec.events = append(rec.events, res.Action+" "+n.Id+" "+n.Metadata["gen"])
			}
			rec.mu.Unlock()
		}
	}()
	t.Cleanup(func() { w.Stop(); <-done })
	return rec
}

// since returns the events after the first n.
func (r *recorder) since(n int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events[min(n, len(r.events)):]...)
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

func (r *recorder) waitFor(t *testing.T, from int, want string) {
	t.Helper()
	wait.Until(t, 15*time.Second, "the event "+want, func() error {
		for _, e := range r.since(from) {
			if e == want {
				return nil
			}
		}
		return fmt.Errorf("events %q", r.since(from))
	})
}

func genNode(name, id, gen string) *registry.Service {
	return &registry.Service{Name: name, Version: "1.0.0",
		Nodes: []*registry.Node{{Id: id, Address: "127.0.0.1:9700", Metadata: map[string]string{"gen": gen}}}}
}

// A registry cut off from a 3-member cluster while others change a
// service, and the cluster compacts and every member defragments past what
// the registry last saw, lists again when it is back: its watchers get
// exactly the changes they missed, once each, and lookups answer the new
// state. While it is cut off, a write fails within its timeout with
// ErrUnavailable, and lookups answer from its view.
func TestViewResumesAfterCompaction(t *testing.T) {
	c := etcdtest.StartCluster(t, 3)
	m := c.Members[0]
	proxy := etcdtest.StartProxy(t, m)
	r := open(t, registry.Addrs(proxy.Addr), registry.Timeout(time.Second))
	w := open(t, registry.Addrs(c.Endpoints()...))
	rec := record(t, r, registry.WatchService("inv"))
	for _, id := range []string{"inv-1", "inv-2"} {
		if err := w.Register(genNode("inv", id, "a")); err != nil {
			t.Fatal(err)
		}
	}
	rec.waitFor(t, 0, "create inv-1 a") // inv-2 with it, or in an update after
	hasNodes(t, r, "the cut-off registry", "inv", "inv-1", "inv-2")

	proxy.Cut()
	from := rec.len()
	start := time.Now()
	err := r.Register(genNode("other", "other-1", "a"))
	if !errors.Is(err, etcd.ErrUnavailable) || time.Since(start) > 3*time.Second {
		t.Errorf("Register while cut off: %v after %v; want ErrUnavailable within the 1 s timeout", err, time.Since(start))
	}
	if got, err := nodesOf(r, "inv"); err != nil || len(got) != 2 {
		t.Errorf("a lookup while cut off: %v, %v; want the view's two nodes", keys(got), err)
	}
	if err := w.Deregister(genNode("inv", "inv-1", "a")); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*registry.Service{genNode("inv", "inv-3", "a"), genNode("inv", "inv-2", "b")} {
		if err := w.Register(s); err != nil {
			t.Fatal(err)
		}
	}
	cli := etcdtest.Client(t, m.Addr)
	ctx := ctx5(t)
	resp, err := cli.Get(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Compact(ctx, resp.Header.Revision, clientv3.WithCompactPhysical()); err != nil {
		t.Fatal(err)
	}
	for _, mm := range c.Members {
		if _, err := cli.Defragment(ctx, mm.Addr); err != nil {
			t.Fatal(err)
		}
	}
	proxy.Heal()

	hasNodes(t, r, "the registry back", "inv", "inv-2", "inv-3")
	if err := w.Register(genNode("inv", "inv-4", "a")); err != nil { // a marker: every event before it is in
		t.Fatal(err)
	}
	rec.waitFor(t, from, "update inv-4 a")
	got := strings.Join(rec.since(from), ", ")
	want := []string{"delete inv-1 a", "update inv-3 a", "update inv-2 b", "update inv-4 a"}
	for _, e := range want {
		if strings.Count(got, e) != 1 {
			t.Errorf("after the outage the watcher saw %q: want %q once", got, e)
		}
	}
	if n := len(rec.since(from)); n != len(want) {
		t.Errorf("after the outage the watcher saw %d events (%s), want %d", n, got, len(want))
	}
	d := registrytest.Diagnose(r, "")
	registrytest.WantFinding(t, d, "view", engine.StatusOK, "1 after a compaction")
}

// A registry cut off from etcd for longer than its lease's TTL loses the
// lease and its nodes (etcd cannot tell a partition from a death). Once it
// can reach etcd again, it registers them again on a new lease by itself.
func TestPartitionLongerThanTheTTL(t *testing.T) {
	m := etcdtest.Start(t)
	proxy := etcdtest.StartProxy(t, m)
	r := open(t, registry.Addrs(proxy.Addr), registry.Timeout(time.Second))
	obs := open(t, registry.Addrs(m.Addr))
	if err := r.Register(genNode("part", "part-1", "a"), registry.RegisterTTL(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	reRegister(t, r, genNode("part", "part-1", "a"), 2*time.Second)
	hasNodes(t, obs, "the observer", "part", "part-1")
	proxy.Cut()
	d := wait.Until(t, 15*time.Second, "the node gone with its lease", func() error {
		got, err := nodesOf(obs, "part")
		if err == nil && len(got) != 0 {
			err = fmt.Errorf("still %v", keys(got))
		}
		return err
	})
	t.Logf("cut off: the node gone after %v", d)
	proxy.Heal()
	d = wait.Until(t, 20*time.Second, "the node back", func() error {
		got, err := nodesOf(obs, "part")
		if err == nil && len(got) != 1 {
			err = fmt.Errorf("%v", keys(got))
		}
		return err
	})
	t.Logf("healed: the node back after %v", d)
}

// A three-member cluster: a follower killed, the leader killed, quorum
// lost and regained, a member restarted from an empty data directory. A
// registry given every member goes on registering and seeing changes
// through each, and fails fast with ErrUnavailable while there is no
// quorum.
func TestClusterFaults(t *testing.T) {
	c := etcdtest.StartCluster(t, 3)
	eps := registry.Addrs(c.Endpoints()...)
	r := open(t, eps, registry.Timeout(2*time.Second))
	obs := open(t, eps, registry.Timeout(2*time.Second))
	rec := record(t, obs, registry.WatchService("ha"))
	n := 0
	register := func(step string) {
		t.Helper()
		n++
		id := fmt.Sprintf("ha-%d", n)
		wait.Until(t, 20*time.Second, step+": register "+id, func() error {
			return r.Register(genNode("ha", id, "a"))
		})
		rec.waitFor(t, 0, fmt.Sprintf("%s %s a", map[bool]string{true: "create", false: "update"}[n == 1], id))
	}
	register("all up")

	leader := c.Leader(t)
	var follower *etcdtest.Member
	for _, m := range c.Members {
		if m != leader {
			follower = m
			break
		}
	}
	follower.Kill()
	register("a follower killed")
	follower.Start(t)
	follower.WaitHealthy(t, 30*time.Second)

	leader = c.Leader(t)
	leader.Kill()
	register("the leader killed")
	leader.Start(t)
	leader.WaitHealthy(t, 30*time.Second)

	var killed []*etcdtest.Member
	for _, m := range c.Members[:2] {
		m.Kill()
		killed = append(killed, m)
	}
	start := time.Now()
	err := r.Register(genNode("ha", "ha-lost", "a"))
	if !errors.Is(err, etcd.ErrUnavailable) || time.Since(start) > 6*time.Second {
		t.Errorf("Register without quorum: %v after %v; want ErrUnavailable within the 2 s timeout", err, time.Since(start))
	}
	if got, err := nodesOf(obs, "ha"); err != nil || len(got) != n {
		t.Errorf("a lookup without quorum: %v, %v; want the view's %d nodes", keys(got), err, n)
	}
	for _, m := range killed {
		m.Start(t)
	}
	for _, m := range killed {
		m.WaitHealthy(t, 30*time.Second)
	}
	register("quorum regained")

	c.ReplaceEmpty(t, c.Members[2])
	register("a member restarted from empty")
	only := etcdtest.Client(t, c.Members[2].Addr)
	wait.Until(t, 10*time.Second, "the new member holds every node", func() error {
		resp, err := only.Get(context.Background(), "/micro/registry/ha/", clientv3.WithPrefix(), clientv3.WithSerializable())
		if err == nil && len(resp.Kvs) != n {
			err = fmt.Errorf("%d keys", len(resp.Kvs))
		}
		return err
	})
	ids := []string{}
	for i := 1; i <= n; i++ {
		ids = append(ids, fmt.Sprintf("ha-%d", i))
	}
	// ha-lost's write may have been committed once quorum was back, but
	// its Register failed: it is deleted, not kept alive on the lease.
	hasNodes(t, obs, "the observer", "ha", ids...)
}

// reRegister registers s again every third of ttl until the test ends, as
// go-micro's server does (errors and all: it goes on trying).
func reRegister(t *testing.T, r registry.Registry, s *registry.Service, ttl time.Duration) {
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(ttl / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				_ = r.Register(s, registry.RegisterTTL(ttl))
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
}

// etcd restarted (every watch and the lease stream end): a watcher sees
// what changed after it came back, once, and the registry's nodes are
// still there, on the same lease.
func TestEtcdRestarted(t *testing.T) {
	m := etcdtest.Start(t)
	r := open(t, registry.Addrs(m.Addr), registry.Timeout(2*time.Second))
	w := open(t, registry.Addrs(m.Addr), registry.Timeout(2*time.Second))
	rec := record(t, r, registry.WatchService("rs"))
	if err := r.Register(genNode("rs", "rs-1", "a")); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, 0, "create rs-1 a")
	m.Kill()
	m.Start(t)
	m.WaitHealthy(t, 30*time.Second)
	from := rec.len()
	wait.Until(t, 20*time.Second, "a registration after the restart", func() error {
		return w.Register(genNode("rs", "rs-2", "a"))
	})
	rec.waitFor(t, from, "update rs-2 a")
	if got := rec.since(from); len(got) != 1 {
		t.Errorf("after the restart the watcher saw %q, want only rs-2's update", got)
	}
	hasNodes(t, w, "another registry", "rs", "rs-1", "rs-2")
}

// go-micro's cmd calls Init with the addresses of --registry_address after
// the registry is built with none: the registry moves to them, and a
// registry built on an address where no etcd runs works once Init names
// one that does.
func TestInitMovesToNewAddresses(t *testing.T) {
	m := etcdtest.Start(t)
	r := etcd.NewRegistry(registry.Addrs("127.0.0.1:1"), registry.Timeout(time.Second))
	defer registry.Close(r)
	if _, err := r.GetService("moved"); !errors.Is(err, etcd.ErrUnavailable) {
		t.Fatalf("before Init: %v, want ErrUnavailable", err)
	}
	if err := r.Init(registry.Addrs(m.Addr)); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 10*time.Second, "a Register after Init", func() error {
		return r.Register(genNode("moved", "moved-1", "a"))
	})
	hasNodes(t, r, "the registry", "moved", "moved-1")
	if err := r.Init(etcd.Prefix("/elsewhere/")); !errors.Is(err, registry.ErrOption) {
		t.Errorf("Init(etcd.Prefix): %v, want ErrOption", err)
	}
}

// etcd restored from a snapshot taken after the registry's lease was
// granted but before one of its nodes was written: the lease is there,
// the node's key is not. The registry's view lists etcd again when its
// watch ends, finds its node missing, and writes it again.
func TestEtcdRestoredFromSnapshot(t *testing.T) {
	m := etcdtest.Start(t)
	r := open(t, registry.Addrs(m.Addr), registry.Timeout(2*time.Second))
	obs := open(t, registry.Addrs(m.Addr), registry.Timeout(2*time.Second))
	if err := r.Register(genNode("snap", "snap-1", "a")); err != nil {
		t.Fatal(err)
	}
	snapshot := m.Snapshot(t)
	if err := r.Register(genNode("snap", "snap-2", "a")); err != nil {
		t.Fatal(err)
	}
	hasNodes(t, obs, "the observer", "snap", "snap-1", "snap-2")
	m.RestoreFrom(t, snapshot)
	cli := etcdtest.Client(t, m.Addr)
	d := wait.Until(t, 20*time.Second, "both nodes in the restored etcd", func() error {
		resp, err := cli.Get(context.Background(), "/micro/registry/snap/", clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err == nil && resp.Count != 2 {
			err = fmt.Errorf("%d keys", resp.Count)
		}
		return err
	})
	t.Logf("restored from a snapshot without snap-2: written again after %v", d)
	hasNodes(t, obs, "the observer", "snap", "snap-1", "snap-2")
}
