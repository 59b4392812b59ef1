package etcd_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/microreg/microreg/internal/etcdtest"
	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/registry"
)

func ctx5(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// keysUnder is what etcd holds under prefix: key -> lease.
func keysUnder(t *testing.T, cli *clientv3.Client, prefix string) (map[string]int64, int64) {
	t.Helper()
	resp, err := cli.Get(ctx5(t), prefix, clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, kv := range resp.Kvs {
		out[string(kv.Key)] = kv.Lease
	}
	return out, resp.Header.Revision
}

func manyNodes(name string, n int) *registry.Service {
	s := &registry.Service{Name: name, Version: "1.0.0"}
	for i := range n {
		s.Nodes = append(s.Nodes, &registry.Node{Id: fmt.Sprintf("%s-%d", name, i), Address: fmt.Sprintf("127.0.0.1:%d", 10000+i)})
	}
	return s
}

// go-micro re-registers every node every 30 s. On etcd that costs
// nothing: the nodes sit on one lease that one stream keeps alive, and a
// Register of unchanged nodes writes nothing (etcd's revision does not
// move). Close revokes the lease: every node is gone at once.
func TestOneLeaseReRegistrationWritesNothingCloseRemovesAll(t *testing.T) {
	m := etcdtest.Start(t)
	cli := etcdtest.Client(t, m.Addr)
	r, err := newRegistry(m.Addr)
	if err != nil {
		t.Fatal(err)
	}
	s := manyNodes("fleet", 50)
	if err := r.Register(s, registry.RegisterTTL(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	keys, rev := keysUnder(t, cli, "/micro/registry/fleet/")
	leases := map[int64]bool{}
	for _, l := range keys {
		leases[l] = true
	}
	if len(keys) != 50 || len(leases) != 1 || leases[0] {
		t.Fatalf("%d keys on leases %v, want 50 on one", len(keys), leases)
	}
	for range 3 {
		if err := r.Register(s, registry.RegisterTTL(10*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if _, again := keysUnder(t, cli, "/micro/registry/fleet/"); again != rev {
		t.Errorf("re-registering unchanged nodes moved etcd from revision %d to %d", rev, again)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if keys, _ := keysUnder(t, cli, "/micro/registry/fleet/"); len(keys) != 0 {
		t.Errorf("%d keys right after Close, want none", len(keys))
	}
}

// The last Deregister revokes the lease; the next Register grants one.
func TestLastDeregisterRevokesTheLease(t *testing.T) {
	m := etcdtest.Start(t)
	cli := etcdtest.Client(t, m.Addr)
	r := open(t, registry.Addrs(m.Addr))
	a, b := fleetService("pay", "pay-1", 9601), fleetService("pay", "pay-2", 9602)
	for _, s := range []*registry.Service{a, b} {
		if err := r.Register(s); err != nil {
			t.Fatal(err)
		}
	}
	keys, _ := keysUnder(t, cli, "/micro/registry/pay/")
	lease := clientv3.LeaseID(keys["/micro/registry/pay/pay-1"])
	if err := r.Deregister(a); err != nil {
		t.Fatal(err)
	}
	if ttl, err := cli.TimeToLive(ctx5(t), lease); err != nil || ttl.TTL <= 0 {
		t.Fatalf("the lease after one of two nodes left: %+v, %v; want it alive", ttl, err)
	}
	if err := r.Deregister(b); err != nil {
		t.Fatal(err)
	}
	if ttl, err := cli.TimeToLive(ctx5(t), lease); err != nil || ttl.TTL != -1 {
		t.Fatalf("the lease after the last node left: %+v, %v; want it revoked (TTL -1)", ttl, err)
	}
	if err := r.Register(a); err != nil {
		t.Fatal(err)
	}
	keys, _ = keysUnder(t, cli, "/micro/registry/pay/")
	if l := keys["/micro/registry/pay/pay-1"]; l == 0 || clientv3.LeaseID(l) == lease {
		t.Errorf("registered again on lease %x, want a new one", l)
	}
}

// A lease lost behind the registry's back (revoked, or expired while etcd
// could not be reached), or a node's key deleted, is noticed: the nodes
// are written again, on a new lease, and nothing silently expires.
func TestLostLeaseAndDeletedKeysComeBack(t *testing.T) {
	m := etcdtest.Start(t)
	cli := etcdtest.Client(t, m.Addr)
	r := open(t, registry.Addrs(m.Addr))
	s := manyNodes("keep", 3)
	if err := r.Register(s, registry.RegisterTTL(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	keys, _ := keysUnder(t, cli, "/micro/registry/keep/")
	lease := clientv3.LeaseID(keys["/micro/registry/keep/keep-0"])
	if _, err := cli.Revoke(ctx5(t), lease); err != nil {
		t.Fatal(err)
	}
	d := wait.Until(t, 10*time.Second, "every node back on a new lease", func() error {
		keys, _ := keysUnder(t, cli, "/micro/registry/keep/")
		if len(keys) != 3 {
			return fmt.Errorf("%d keys", len(keys))
		}
		for k, l := range keys {
			if l == 0 || clientv3.LeaseID(l) == lease {
				return fmt.Errorf("%s on lease %x", k, l)
			}
		}
		return nil
	})
	t.Logf("a revoked lease: the nodes back after %v", d)

	if _, err := cli.Delete(ctx5(t), "/micro/registry/keep/keep-1"); err != nil {
		t.Fatal(err)
	}
	d = wait.Until(t, 10*time.Second, "a deleted key back", func() error {
		keys, _ := keysUnder(t, cli, "/micro/registry/keep/")
		if _, ok := keys["/micro/registry/keep/keep-1"]; !ok {
			return fmt.Errorf("keys %v", keys)
		}
		return nil
	})
	t.Logf("a deleted key back after %v", d)
}
