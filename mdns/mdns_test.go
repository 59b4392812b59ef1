package mdns_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/microreg/microreg/internal/netns"
	"github.com/microreg/microreg/mdns"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

// TestMain moves the tests into a private network namespace whose only
// interface is lo: no multicast packet ever reaches a real network. A test
// binary started with a peer role (peerEnv) is a process of the
// mixed-fleet tests, already inside the namespace.
func TestMain(m *testing.M) {
	if role := os.Getenv(peerEnv); role != "" {
		os.Exit(peer(role))
	}
	if kind := os.Getenv(forgerEnv); kind != "" {
		if err := forge(kind); err != nil {
			fmt.Fprintln(os.Stderr, "forger:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	netns.Run(m, func(m *testing.M) {
		ignore := append(registrytest.GoMicroGoroutines(), goMicroMDNSGoroutines()...)
		goleak.VerifyTestMain(m, append(ignore, goleak.IgnoreCurrent())...)
	})
}

// goMicroMDNSGoroutines are the goroutines go-micro's own mDNS watcher
// leaves running after Stop (its listener never ends): the mixed-fleet
// tests use it as a peer.
func goMicroMDNSGoroutines() []goleak.Option {
	return []goleak.Option{
		goleak.IgnoreAnyFunction("go-micro.dev/v4/util/mdns.(*client).recv"),
		goleak.IgnoreAnyFunction("go-micro.dev/v4/util/mdns.Listen"),
		goleak.IgnoreAnyFunction("go-micro.dev/v4/registry.(*mdnsRegistry).Watch.func1"),
		goleak.IgnoreAnyFunction("go-micro.dev/v4/registry.(*mdnsRegistry).Watch.func1.1"),
	}
}

func open(t testing.TB, opts ...registry.Option) registry.Registry {
	t.Helper()
	r, err := mdns.New(append([]registry.Option{mdns.Interface("lo"), mdns.TTL(2 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { registry.Close(r) })
	return r
}

// TestConformance runs the suite with every instance a separate registry
// with its own sockets, all on lo: what one announces, others hear.
func TestConformance(t *testing.T) {
	registrytest.Run(t, world)
}

// TestSoak churns under watchers (MICROREG_SOAK=60s for the long run).
func TestSoak(t *testing.T) {
	registrytest.Soak(t, world, registrytest.SoakConfig{Rate: 100})
}

func world(t *testing.T) *registrytest.World {
	return &registrytest.World{
		Name: mdns.Name,
		TTL:  2 * time.Second,
		Ops:  400,
		New: func(t *testing.T) registry.Registry {
			r, err := mdns.New(mdns.Interface("lo"), mdns.TTL(2*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			return r
		},
	}
}

func TestDefaultUsesEveryMulticastInterface(t *testing.T) {
	a := mdns.NewRegistry() // no options: every multicast interface (here, lo)
	defer registry.Close(a)
	b := open(t)
	if err := a.Register(&registry.Service{Name: "dflt", Nodes: []*registry.Node{{Id: "d1", Address: "127.0.0.1:1"}}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := b.GetService("dflt"); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("a registry built with no options was not heard on lo")
		}
		time.Sleep(10 * time.Millisecond) // polling interval
	}
}

func TestUnknownServiceIsErrNotFoundQuickly(t *testing.T) {
	r := open(t, mdns.QueryTimeout(300*time.Millisecond))
	start := time.Now()
	if _, err := r.GetService("nobody-here"); err != registry.ErrNotFound { //nolint:errorlint // identity promised
		t.Fatalf("unknown service: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the lookup took %v, past its 300ms timeout", d)
	}
}

func TestFirstLookupQueriesAndSettles(t *testing.T) {
	a := open(t)
	if err := a.Register(&registry.Service{Name: "early", Nodes: []*registry.Node{{Id: "e1", Address: "127.0.0.1:2"}}}); err != nil {
		t.Fatal(err)
	}
	// b starts after the announcement: it must ask.
	b := open(t, mdns.QueryTimeout(5*time.Second))
	start := time.Now()
	got, err := b.GetService("early")
	if err != nil || got[0].Nodes[0].Id != "e1" {
		t.Fatalf("first lookup: %v, %v", got, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the first lookup waited %v: it should return once answers settle, not at the 5s timeout", d)
	}
}

func TestBadInterfaceIsAnError(t *testing.T) {
	if _, err := mdns.New(mdns.Interface("no-such-if0")); !errors.Is(err, mdns.ErrNotStarted) {
		t.Fatalf("New on a missing interface: %v", err)
	}
	r := mdns.NewRegistry(mdns.Interface("no-such-if0"))
	defer registry.Close(r)
	if err := r.Register(&registry.Service{Name: "x", Nodes: []*registry.Node{{Id: "x", Address: "127.0.0.1:1"}}}); !errors.Is(err, mdns.ErrNotStarted) {
		t.Fatalf("Register on a registry that did not start: %v", err)
	}
}

func TestOnlyLoopbackExists(t *testing.T) {
	ifaces, _ := net.Interfaces()
	if len(ifaces) != 1 || ifaces[0].Name != "lo" {
		t.Fatalf("the tests must run with lo alone, found %v", ifaces)
	}
}

func TestCrashedNodeExpiresFromCaches(t *testing.T) {
	a := open(t) // TTL 2s
	b := open(t)
	took := crashUntilDeleted(t, a, b, "crashy")
	t.Logf("crashed node dropped after %v (record TTL 2s)", took)
	if took < time.Second {
		t.Fatalf("dropped after %v: that was a goodbye, not an expiry", took)
	}
}

// A node registered with RegisterTTL (go-micro's servers always are)
// announces records that live no longer than that TTL, so a crashed
// server leaves other caches after its RegisterTTL, not the registry's
// longer record TTL.
func TestCrashedNodeExpiresAtItsRegisterTTL(t *testing.T) {
	a := open(t, mdns.TTL(time.Minute))
	b := open(t, mdns.TTL(time.Minute))
	took := crashUntilDeleted(t, a, b, "crashttl", registry.RegisterTTL(2*time.Second))
	t.Logf("crashed node dropped after %v (RegisterTTL 2s, record TTL otherwise 1m)", took)
	if took < time.Second || took > 10*time.Second {
		t.Fatalf("dropped after %v, want about the 2 s RegisterTTL", took)
	}
}

// crashUntilDeleted registers a one-node service on a, waits for b's
// watcher to see it, crashes a (no goodbye) and returns how long b took to
// report the node deleted.
func crashUntilDeleted(t *testing.T, a, b registry.Registry, name string, opts ...registry.RegisterOption) time.Duration {
	t.Helper()
	w, err := b.Watch(registry.WatchService(name))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	s := &registry.Service{Name: name, Nodes: []*registry.Node{{Id: "c1", Address: "127.0.0.1:3"}}}
	if err := a.Register(s, opts...); err != nil {
		t.Fatal(err)
	}
	if ev, err := w.Next(); err != nil || ev.Action != registry.ActionCreate {
		t.Fatalf("first event: %v, %v", ev, err)
	}
	start := time.Now()
	mdns.Crash(a)
	ev, err := w.Next()
	if err != nil || ev.Action != registry.ActionDelete {
		t.Fatalf("after the crash: %v, %v", ev, err)
	}
	return time.Since(start)
}

// MICRO_REGISTRY=mdns on a host with no multicast interface: FromEnv
// returns the reason instead of a registry whose every call fails.
func TestFromEnvWithNoMulticastInterface(t *testing.T) {
	if !netns.Inside() {
		t.Fatal("multicast is turned off only inside the test's private network namespace")
	}
	if out, err := exec.Command("ip", "link", "set", "lo", "multicast", "off").CombinedOutput(); err != nil {
		t.Fatalf("ip link set lo multicast off: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "link", "set", "lo", "multicast", "on").CombinedOutput(); err != nil {
			t.Errorf("ip link set lo multicast on: %v: %s", err, out)
		}
	})
	t.Setenv(registry.EnvRegistry, mdns.Name)
	r, err := registry.FromEnv()
	if r != nil || !errors.Is(err, registry.ErrNotStarted) || !strings.Contains(err.Error(), "no interface is up and multicast-capable") {
		t.Fatalf("FromEnv with MICRO_REGISTRY=mdns and no multicast interface: %v, %v; want no registry and the cause", r, err)
	}
}

// Every mdns option applies when the sockets are opened: one given to
// Init is an error that names it, not a silent no-op.
func TestInitWithAnMDNSOptionIsAnError(t *testing.T) {
	r, err := mdns.New(mdns.Interface("lo"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	err = r.Init(mdns.Interface("lo"))
	if !errors.Is(err, registry.ErrOption) || !strings.Contains(err.Error(), "mdns.Interface") {
		t.Fatalf("Init(mdns.Interface): %v; want an error wrapping registry.ErrOption naming mdns.Interface", err)
	}
	if err := r.Init(registry.Timeout(time.Second)); err != nil {
		t.Fatalf("Init with go-micro's own option: %v", err)
	}
}
