package etcd_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/microreg/microreg/etcd"
	"github.com/microreg/microreg/internal/etcdtest"
	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/registry"
)

// "a/b" and "a-b" share keys in go-micro's layout: a node that would
// overwrite another service's is refused with ErrKeyTaken, and the
// other's registration is unchanged.
func TestKeyTaken(t *testing.T) {
	m := etcdtest.Start(t)
	r := open(t, registry.Addrs(m.Addr))
	if err := r.Register(fleetService("a/b", "n1", 9001)); err != nil {
		t.Fatal(err)
	}
	hasNodes(t, r, "microreg", "a/b", "n1")
	err := r.Register(fleetService("a-b", "n1", 9002))
	if !errors.Is(err, etcd.ErrKeyTaken) {
		t.Fatalf("a-b node n1 over a/b's: %v, want ErrKeyTaken", err)
	}
	hasNodes(t, r, "microreg", "a/b", "n1")
	hasNodes(t, r, "microreg", "a-b")
}

// At size: 1,000 services of 10 instances each (10,000 nodes) from ten
// registries, watched in full by one registry with 100 watchers. The
// watching registry sees every node, and holds one connection to etcd
// whatever it watches.
func TestTenThousandInstancesOneConnection(t *testing.T) {
	m := etcdtest.Start(t)
	proxy := etcdtest.StartProxy(t, m)
	obs := open(t, registry.Addrs(proxy.Addr))
	var ws []registry.Watcher
	for range 100 {
		w, err := obs.Watch()
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, w)
	}
	defer func() {
		for _, w := range ws {
			w.Stop()
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for p := range 10 {
		r := open(t, registry.Addrs(m.Addr))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range 100 {
				svc := &registry.Service{Name: fmt.Sprintf("svc-%03d", p*100+s), Version: "1.0.0"}
				for i := range 10 {
					svc.Nodes = append(svc.Nodes, &registry.Node{Id: fmt.Sprintf("n-%d", i), Address: fmt.Sprintf("127.0.0.1:%d", 20000+i)})
				}
				if err := r.Register(svc, registry.RegisterTTL(time.Minute)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	d := wait.Until(t, 30*time.Second, "the watching registry sees 10,000 nodes", func() error {
		list, err := obs.ListServices()
		if err != nil {
			return err
		}
		n := 0
		for _, s := range list {
			n += len(s.Nodes)
		}
		if len(list) != 1000 || n != 10000 {
			return fmt.Errorf("%d services, %d nodes", len(list), n)
		}
		return nil
	})
	t.Logf("10,000 nodes seen after %v", d)
	if got, err := nodesOf(obs, "svc-999"); err != nil || len(got) != 10 {
		t.Errorf("svc-999: %d nodes, %v", len(got), err)
	}
	if open, opened := proxy.Conns(); open != 1 || opened != 1 {
		t.Errorf("the watching registry holds %d connections (%d opened), want 1", open, opened)
	}
}

// A rolling deploy: every instance of a service replaced one at a time
// (the new one registered, then the old one deregistered and closed, as
// go-micro's server does on SIGTERM). A client's lookups stop returning
// each old node as soon as its view has the deregistration: the time is
// etcd's watch latency, not a cache's TTL (go-micro issue 2805 saw 45-60
// s). bench measures it beside the rivals.
func TestRollingDeployNoStaleNodes(t *testing.T) {
	m := etcdtest.Start(t)
	client := open(t, registry.Addrs(m.Addr))
	const n = 20
	olds := make([]*etcd.Registry, n)
	for i := range n {
		olds[i] = open(t, registry.Addrs(m.Addr))
		if err := olds[i].Register(genNode("roll", fmt.Sprintf("old-%d", i), "a"), registry.RegisterTTL(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	hasNodes(t, client, "the client", "roll", ids("old", 0, n)...)
	var worst time.Duration
	for i := range n {
		nr := open(t, registry.Addrs(m.Addr))
		if err := nr.Register(genNode("roll", fmt.Sprintf("new-%d", i), "a"), registry.RegisterTTL(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := olds[i].Deregister(genNode("roll", fmt.Sprintf("old-%d", i), "a")); err != nil {
			t.Fatal(err)
		}
		if err := olds[i].Close(); err != nil {
			t.Fatal(err)
		}
		d := wait.Until(t, 5*time.Second, fmt.Sprintf("step %d: old-%d gone from the client", i, i), func() error {
			got, err := nodesOf(client, "roll")
			if err != nil {
				return err
			}
			if got[fmt.Sprintf("old-%d", i)] != nil {
				return fmt.Errorf("still has old-%d", i)
			}
			return nil
		})
		worst = max(worst, d)
	}
	t.Logf("a replaced node still returned for at most %v after its Deregister", worst)
	hasNodes(t, client, "the client", "roll", ids("new", 0, n)...)
}

func ids(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("%s-%d", prefix, i))
	}
	return out
}
