// Package greettest runs the greeter programs as processes against each
// network backend, for the go-micro v4 and v5 greeters and for fleets that
// mix them: a server and a client, the reply, a SIGTERM that deregisters
// and a SIGKILL whose node is gone after its TTL. It watches through
// engine registries of its own, so neither go-micro version is linked.
package greettest

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/microreg/microreg/engine"
	econsul "github.com/microreg/microreg/engine/consul"
	eetcd "github.com/microreg/microreg/engine/etcd"
	egossip "github.com/microreg/microreg/engine/gossip"
	emdns "github.com/microreg/microreg/engine/mdns"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/internal/etcdtest"
	"github.com/microreg/microreg/internal/greet"
	"github.com/microreg/microreg/internal/proctest"
)

// TTLFlags make a server re-register every second with a 2 s TTL, so
// that a killed server is gone in seconds.
var TTLFlags = []string{"--register_ttl=2", "--register_interval=1"}

// Backend is one network backend: the flags that point the programs at
// it, and a registry in the test process that sees what they register.
type Backend struct {
	Name string
	// Flags starts what the backend needs (a seed node, an agent) and
	// returns the programs' flags and an observer; both end with t.
	Flags func(t *testing.T) (flags []string, observer engine.Registry)
	// KilledWithin bounds how long a SIGKILLed server stays registered.
	KilledWithin time.Duration
}

// Backends are gossip (a seed node in the test), mdns (on lo: the test
// binary must run in a private network namespace), consul (a dev agent)
// and etcd (one member).
var Backends = []Backend{
	{
		Name: "gossip",
		Flags: func(t *testing.T) ([]string, engine.Registry) {
			seed, err := egossip.New(egossip.BindAddress("127.0.0.1", 0))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = seed.Close() })
			addr, _ := seed.LocalAddr()
			return []string{"--registry=gossip", "--registry_address=" + addr}, seed
		},
		KilledWithin: 20 * time.Second, // failure detection, or the TTL
	},
	{
		Name: "mdns",
		Flags: func(t *testing.T) ([]string, engine.Registry) {
			obs, err := emdns.New()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = obs.Close() })
			return []string{"--registry=mdns"}, obs
		},
		KilledWithin: 15 * time.Second, // the records' TTL: the 2 s RegisterTTL
	},
	{
		Name: "consul",
		Flags: func(t *testing.T) ([]string, engine.Registry) {
			agent := consultest.StartDev(t)
			obs := econsul.Open(engine.Addrs(agent.HTTPAddr))
			t.Cleanup(func() { _ = obs.Close() })
			return []string{"--registry=consul", "--registry_address=" + agent.HTTPAddr}, obs
		},
		KilledWithin: 20 * time.Second, // the TTL check goes critical
	},
	{
		Name: "etcd",
		Flags: func(t *testing.T) ([]string, engine.Registry) {
			m := etcdtest.Start(t)
			obs := eetcd.Open(engine.Addrs(m.Addr))
			t.Cleanup(func() { _ = obs.Close() })
			return []string{"--registry=etcd", "--registry_address=" + m.Addr}, obs
		},
		KilledWithin: 10 * time.Second, // the lease's TTL: the 2 s RegisterTTL
	},
}

// StartServer starts the greeter server bin with flags and returns it and
// the id of the node it registered.
func StartServer(t *testing.T, bin string, flags []string) (*proctest.Proc, string) {
	p := proctest.Start(t, bin, nil, append(flags, TTLFlags...)...)
	line := p.WaitLine(t, "registered greeter node", 30*time.Second)
	return p, strings.Fields(line)[3]
}

// Within is a context that ends after d, or with t.
func Within(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// Hello runs the client bin with flags and waits for its reply.
func Hello(t *testing.T, bin string, flags []string) {
	client := proctest.Start(t, bin, nil, append(flags, "--greet=Ann")...)
	client.WaitLine(t, `reply: "Hello Ann"`, 30*time.Second)
	if err := client.Wait(10 * time.Second); err != nil {
		t.Fatalf("client: %v", err)
	}
}

// Run runs the server and client programs on b: the client gets its
// reply, a server stopped with SIGTERM deregisters, and one killed with
// SIGKILL is gone after its TTL.
func Run(t *testing.T, b Backend, server, client string) {
	flags, obs := b.Flags(t)
	srv, id := StartServer(t, server, flags)
	Hello(t, client, flags)
	if _, _, err := greet.Discover(Within(t, 10*time.Second), obs); err != nil {
		t.Fatal(err)
	}
	if err := srv.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := greet.WaitGone(Within(t, 10*time.Second), obs, id); err != nil {
		t.Fatalf("after SIGTERM: %v", err)
	}
	t.Logf("SIGTERM: %s gone after %v", id, time.Since(start))
	if err := srv.Wait(10 * time.Second); err != nil {
		t.Fatalf("server after SIGTERM: %v", err)
	}

	srv, id = StartServer(t, server, flags)
	if err := WaitRegistered(Within(t, 15*time.Second), obs, id); err != nil {
		t.Fatal(err)
	}
	if err := srv.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if err := greet.WaitGone(Within(t, b.KilledWithin), obs, id); err != nil {
		t.Fatalf("after SIGKILL: %v", err)
	}
	t.Logf("SIGKILL: %s gone after %v", id, time.Since(start))
}

// WaitRegistered waits until r lists node id of the greeter.
func WaitRegistered(ctx context.Context, r engine.Registry, id string) error {
	for {
		if svcs, err := r.GetService(greet.Service); err == nil {
			for _, s := range svcs {
				for _, n := range s.Nodes {
					if n.Id == id {
						return nil
					}
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s never registered: %w", id, ctx.Err())
		case <-time.After(50 * time.Millisecond): // polling interval
		}
	}
}
