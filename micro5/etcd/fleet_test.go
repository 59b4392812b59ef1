package etcd_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
	"unsafe"

	coreetcd "go-micro.dev/v5/registry/etcd"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/microreg/microreg/internal/etcdtest"
	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/micro5/etcd"
	"github.com/microreg/microreg/micro5/registry"
)

// newCore is go-micro v5's own etcd registry. It has no Close: its client
// is closed through reflection when the test ends, so that the leak check
// at exit still holds for everything else.
func newCore(t *testing.T, opts ...registry.Option) registry.Registry {
	t.Helper()
	r := coreetcd.NewEtcdRegistry(opts...)
	f := reflect.ValueOf(r).Elem().FieldByName("client")
	cli := *(**clientv3.Client)(unsafe.Pointer(f.UnsafeAddr()))
	t.Cleanup(func() { _ = cli.Close() })
	return r
}

func ids(r registry.Registry, name string) ([]string, error) {
	svcs, err := r.GetService(name)
	if errors.Is(err, registry.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range svcs {
		if s.Version != "2.0.0" || s.Metadata["team"] != "search" {
			return nil, fmt.Errorf("version %q, metadata %v", s.Version, s.Metadata)
		}
		for _, n := range s.Nodes {
			out = append(out, n.Id)
		}
	}
	return out, nil
}

func hasIDs(t *testing.T, r registry.Registry, who string, want ...string) {
	t.Helper()
	wait.Until(t, 10*time.Second, fmt.Sprintf("%s sees %v", who, want), func() error {
		got, err := ids(r, "search")
		if err != nil {
			return err
		}
		if fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(want)) {
			return fmt.Errorf("sees %v", got)
		}
		return nil
	})
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// A v5 fleet half on go-micro v5's core etcd registry, half on microreg,
// moves one service at a time: each reads the other's registrations and
// sees them leave.
func TestFleetWithV5CoreEtcd(t *testing.T) {
	m := etcdtest.Start(t)
	ours, err := etcd.New(registry.Addrs(m.Addr))
	if err != nil {
		t.Fatal(err)
	}
	defer ours.Close()
	core := newCore(t, registry.Addrs(m.Addr))
	svc := func(id string, port int) *registry.Service {
		return &registry.Service{Name: "search", Version: "2.0.0", Metadata: map[string]string{"team": "search"},
			Nodes: []*registry.Node{{Id: id, Address: fmt.Sprintf("127.0.0.1:%d", port)}}}
	}
	theirs, mine := svc("search-core", 9501), svc("search-microreg", 9502)
	if err := core.Register(theirs, registry.RegisterTTL(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := ours.Register(mine, registry.RegisterTTL(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	hasIDs(t, ours, "microreg", "search-core", "search-microreg")
	hasIDs(t, core, "v5 core", "search-core", "search-microreg")
	if err := ours.Deregister(mine); err != nil {
		t.Fatal(err)
	}
	hasIDs(t, core, "v5 core", "search-core")
	if err := core.Deregister(theirs); err != nil {
		t.Fatal(err)
	}
	hasIDs(t, ours, "microreg")
}
