package greeter_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"go-micro.dev/v4"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/examples/greeter"
	"github.com/microreg/microreg/gossip"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/internal/netns"
	"github.com/microreg/microreg/internal/proctest"
	"github.com/microreg/microreg/mdns"
	"github.com/microreg/microreg/memory"
	"github.com/microreg/microreg/registry"
)

// The whole package runs in a private network namespace (only lo), so the
// mdns case multicasts nowhere else; the other backends use loopback too.
func TestMain(m *testing.M) { netns.Run(m) }

var bins map[string]string

func binaries(t *testing.T) map[string]string {
	t.Helper()
	if bins == nil {
		dir, err := os.MkdirTemp("", "greeter-bin")
		if err != nil {
			t.Fatal(err)
		}
		b, err := proctest.Build(dir, "./server", "./client")
		if err != nil {
			t.Fatal(err)
		}
		bins = b
	}
	return bins
}

// ttlFlags make the server re-register every second with a 2 s TTL, so
// that a killed server is gone in seconds.
var ttlFlags = []string{"--register_ttl=2", "--register_interval=1"}

func TestMemoryServerAndClientInOneProcess(t *testing.T) {
	r := memory.NewRegistry()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := greeter.NewServer(r, micro.Context(ctx), micro.HandleSignal(false))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run() }()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	id, _, err := greeter.Discover(wctx, r)
	if err != nil {
		t.Fatal(err)
	}
	reply, err := greeter.Hello(wctx, greeter.NewClient(r).Client(), "Ann")
	if err != nil || reply != "Hello Ann" {
		t.Fatalf("reply %q, %v", reply, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("server stopped with %v", err)
	}
	if err := greeter.WaitGone(wctx, r, id); err != nil {
		t.Fatal(err)
	}
}

// backendCase is one network backend: the flags that point the programs at
// it, and a registry in the test process that sees what they register.
type backendCase struct {
	name  string
	flags func(t *testing.T) (flags []string, observer registry.Registry)
	// killedWithin bounds how long a SIGKILLed server stays registered.
	killedWithin time.Duration
}

var cases = []backendCase{
	{
		name: "gossip",
		flags: func(t *testing.T) ([]string, registry.Registry) {
			seed, err := gossip.New(gossip.BindAddress("127.0.0.1", 0))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { registry.Close(seed) })
			addr, _ := seed.LocalAddr()
			return []string{"--registry=gossip", "--registry_address=" + addr}, seed
		},
		killedWithin: 20 * time.Second, // failure detection, or the TTL
	},
	{
		name: "mdns",
		flags: func(t *testing.T) ([]string, registry.Registry) {
			obs, err := mdns.New()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { registry.Close(obs) })
			return []string{"--registry=mdns"}, obs
		},
		killedWithin: 15 * time.Second, // the records' TTL: the 2 s RegisterTTL
	},
	{
		name: "consul",
		flags: func(t *testing.T) ([]string, registry.Registry) {
			agent := consultest.StartDev(t)
			obs := consul.NewRegistry(registry.Addrs(agent.HTTPAddr))
			t.Cleanup(func() { registry.Close(obs) })
			return []string{"--registry=consul", "--registry_address=" + agent.HTTPAddr}, obs
		},
		killedWithin: 20 * time.Second, // the TTL check goes critical
	},
}

// TestServerAndClientProcesses runs the real server and client programs
// for each network backend: the client gets its reply, a server stopped
// with SIGTERM deregisters, and one killed with SIGKILL is gone after its
// TTL.
func TestServerAndClientProcesses(t *testing.T) {
	b := binaries(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			flags, obs := tc.flags(t)
			server := func() (*proctest.Proc, string) {
				p := proctest.Start(t, b["server"], nil, append(flags, ttlFlags...)...)
				line := p.WaitLine(t, "registered greeter node", 30*time.Second)
				return p, strings.Fields(line)[3]
			}
			within := func(d time.Duration) context.Context {
				ctx, cancel := context.WithTimeout(context.Background(), d)
				t.Cleanup(cancel)
				return ctx
			}

			srv, id := server()
			client := proctest.Start(t, b["client"], nil, append(flags, "--greet=Ann")...)
			client.WaitLine(t, `reply: "Hello Ann"`, 30*time.Second)
			if err := client.Wait(10 * time.Second); err != nil {
				t.Fatalf("client: %v", err)
			}
			if _, _, err := greeter.Discover(within(10*time.Second), obs); err != nil {
				t.Fatal(err)
			}
			if err := srv.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if err := greeter.WaitGone(within(10*time.Second), obs, id); err != nil {
				t.Fatalf("after SIGTERM: %v", err)
			}
			t.Logf("SIGTERM: %s gone after %v", id, time.Since(start))
			if err := srv.Wait(10 * time.Second); err != nil {
				t.Fatalf("server after SIGTERM: %v", err)
			}

			srv, id = server()
			if err := waitRegistered(within(15*time.Second), obs, id); err != nil {
				t.Fatal(err)
			}
			if err := srv.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			start = time.Now()
			if err := greeter.WaitGone(within(tc.killedWithin), obs, id); err != nil {
				t.Fatalf("after SIGKILL: %v", err)
			}
			t.Logf("SIGKILL: %s gone after %v", id, time.Since(start))
		})
	}
}

func waitRegistered(ctx context.Context, r registry.Registry, id string) error {
	for {
		if svcs, err := r.GetService(greeter.ServiceName); err == nil {
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
