package etcd_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
	"unsafe"

	etcdplugin "github.com/go-micro/plugins/v4/registry/etcd"
	mregistry "go-micro.dev/v4/registry"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/microreg/microreg/etcd"
	"github.com/microreg/microreg/internal/etcdtest"
	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/registry"
)

func fleetService(name, id string, port int) *registry.Service {
	return &registry.Service{
		Name: name, Version: "1.4.0",
		Metadata:  map[string]string{"team": "payments"},
		Endpoints: []*registry.Endpoint{{Name: "Say.Hello", Request: &registry.Value{Name: "Request", Type: "Request"}}},
		Nodes: []*registry.Node{{Id: id, Address: fmt.Sprintf("127.0.0.1:%d", port),
			Metadata: map[string]string{"protocol": "mucp", "transport": "http"}}},
	}
}

func open(t *testing.T, opts ...registry.Option) *etcd.Registry {
	t.Helper()
	r, err := etcd.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// nodesOf is r's nodes of name, by id, once.
func nodesOf(r registry.Registry, name string) (map[string]*registry.Service, error) {
	svcs, err := r.GetService(name)
	if errors.Is(err, registry.ErrNotFound) {
		return map[string]*registry.Service{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string]*registry.Service{}
	for _, s := range svcs {
		for _, n := range s.Nodes {
			out[n.Id] = s
		}
	}
	return out, nil
}

// hasNodes waits until r sees exactly ids of name.
func hasNodes(t *testing.T, r registry.Registry, who, name string, ids ...string) {
	t.Helper()
	wait.Until(t, 10*time.Second, fmt.Sprintf("%s sees %s nodes %v", who, name, ids), func() error {
		got, err := nodesOf(r, name)
		if err != nil {
			return err
		}
		if len(got) != len(ids) {
			return fmt.Errorf("%d nodes: %v", len(got), keys(got))
		}
		for _, id := range ids {
			if got[id] == nil {
				return fmt.Errorf("no %s among %v", id, keys(got))
			}
		}
		return nil
	})
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A fleet half on go-micro's v4 etcd plugin, half on microreg, moves one
// service at a time: each reads the other's registrations (lookups,
// listings and watches), with metadata and endpoints, and sees them leave.
func TestFleetWithTheV4Plugin(t *testing.T) {
	m := etcdtest.Start(t)
	ours := open(t, registry.Addrs(m.Addr))
	plugin := newPlugin(t, registry.Addrs(m.Addr))

	pw, err := plugin.Watch(mregistry.WatchService("billing"))
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Stop()
	ow, err := ours.Watch(registry.WatchService("billing"))
	if err != nil {
		t.Fatal(err)
	}
	defer ow.Stop()

	theirs := fleetService("billing", "billing-plugin", 9401)
	mine := fleetService("billing", "billing-microreg", 9402)
	if err := plugin.Register(theirs, mregistry.RegisterTTL(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := ours.Register(mine, registry.RegisterTTL(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	hasNodes(t, ours, "microreg", "billing", "billing-plugin", "billing-microreg")
	hasNodes(t, plugin, "the plugin", "billing", "billing-plugin", "billing-microreg")

	got, _ := nodesOf(plugin, "billing")
	s := got["billing-microreg"]
	if s.Version != "1.4.0" || s.Metadata["team"] != "payments" || len(s.Endpoints) != 1 || s.Endpoints[0].Name != "Say.Hello" {
		t.Errorf("the plugin reads microreg's node as %+v", s)
	}
	got, _ = nodesOf(ours, "billing")
	if s := got["billing-plugin"]; s.Metadata["team"] != "payments" || len(s.Endpoints) != 1 {
		t.Errorf("microreg reads the plugin's node as %+v", s)
	}
	list, err := plugin.ListServices()
	if err != nil || len(list) != 1 || list[0].Name != "billing" {
		t.Errorf("the plugin lists %v, %v", list, err)
	}

	// Each watcher sees the other's node come and go.
	for _, w := range []struct {
		who string
		w   mregistry.Watcher
		id  string
	}{{"the plugin", pw, "billing-microreg"}, {"microreg", ow, "billing-plugin"}} {
		waitEvent(t, w.who, w.w, "create", w.id)
	}
	if err := ours.Deregister(mine); err != nil {
		t.Fatal(err)
	}
	if err := plugin.Deregister(theirs); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, "the plugin", pw, "delete", "billing-microreg")
	waitEvent(t, "microreg", ow, "delete", "billing-plugin")
	hasNodes(t, ours, "microreg", "billing")
	hasNodes(t, plugin, "the plugin", "billing")
}

// waitEvent reads w until an event of action about node id.
func waitEvent(t *testing.T, who string, w mregistry.Watcher, action, id string) {
	t.Helper()
	found := make(chan error, 1)
	go func() {
		for {
			r, err := w.Next()
			if err != nil {
				found <- err
				return
			}
			if r.Action != action {
				continue
			}
			for _, n := range r.Service.Nodes {
				if n.Id == id {
					found <- nil
					return
				}
			}
		}
	}()
	select {
	case err := <-found:
		if err != nil {
			t.Fatalf("%s's watcher: %v before %s %s", who, err, action, id)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s's watcher saw no %s of %s within 10s", who, action, id)
	}
}

// What etcd holds for a microreg registration is the rivals' layout: the
// key /micro/registry/<service>/<node id> ("/" made "-"), the JSON of a
// one-node service, on a lease of the RegisterTTL, one lease for all of a
// registry's nodes.
func TestKeysAreTheRivalsLayout(t *testing.T) {
	m := etcdtest.Start(t)
	r := open(t, registry.Addrs(m.Addr))
	a := fleetService("go.micro.srv/billing", "n/1", 9411)
	b := fleetService("ledger", "ledger-1", 9412)
	for _, s := range []*registry.Service{a, b} {
		if err := r.Register(s, registry.RegisterTTL(20*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	cli := etcdtest.Client(t, m.Addr)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	leases := map[int64]bool{}
	for key, s := range map[string]*registry.Service{"/micro/registry/go.micro.srv-billing/n-1": a, "/micro/registry/ledger/ledger-1": b} {
		resp, err := cli.Get(ctx, key)
		if err != nil || len(resp.Kvs) != 1 {
			t.Fatalf("etcd get %s: %v, %d keys", key, err, len(resp.Kvs))
		}
		var got registry.Service
		if err := json.Unmarshal(resp.Kvs[0].Value, &got); err != nil {
			t.Fatalf("%s holds no JSON service: %v", key, err)
		}
		if got.Name != s.Name || got.Version != s.Version || len(got.Nodes) != 1 || got.Nodes[0].Id != s.Nodes[0].Id || got.Metadata["team"] != "payments" {
			t.Errorf("%s holds %s", key, resp.Kvs[0].Value)
		}
		leases[resp.Kvs[0].Lease] = true
		if resp.Kvs[0].Lease == 0 {
			t.Errorf("%s has no lease", key)
		}
	}
	if len(leases) != 1 {
		t.Errorf("the registry's nodes are on %d leases, want one", len(leases))
	}
	for id := range leases {
		ttl, err := cli.TimeToLive(ctx, clientv3.LeaseID(id))
		if err != nil || ttl.GrantedTTL != 20 {
			t.Errorf("the lease's TTL: %+v, %v; want 20 s", ttl, err)
		}
	}
}

// newPlugin is go-micro's v4 etcd plugin's registry. The plugin has no
// Close: its client is closed through reflection when the test ends, so
// that the leak check at exit still holds for everything else.
func newPlugin(t *testing.T, opts ...mregistry.Option) mregistry.Registry {
	t.Helper()
	r := etcdplugin.NewRegistry(opts...)
	f := reflect.ValueOf(r).Elem().FieldByName("client")
	cli := *(**clientv3.Client)(unsafe.Pointer(f.UnsafeAddr()))
	t.Cleanup(func() { _ = cli.Close() })
	return r
}

func newRegistry(addr string, opts ...registry.Option) (*etcd.Registry, error) {
	return etcd.New(append([]registry.Option{registry.Addrs(addr)}, opts...)...)
}
