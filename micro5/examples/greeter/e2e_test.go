package greeter_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go-micro.dev/v5"

	"github.com/microreg/microreg/internal/greettest"
	"github.com/microreg/microreg/internal/netns"
	"github.com/microreg/microreg/internal/proctest"
	"github.com/microreg/microreg/micro5/examples/greeter"
	"github.com/microreg/microreg/micro5/memory"
)

// The whole package runs in a private network namespace (only lo), so the
// mdns cases multicast nowhere else; the other backends use loopback too.
func TestMain(m *testing.M) { netns.Run(m) }

// bins are the go-micro v5 greeter ("server", "client"), built here, and
// the v4 greeter and the CLI ("server4", "client4", "microreg"), built in
// the v4 module two directories up.
var bins map[string]string

func binaries(t *testing.T) map[string]string {
	t.Helper()
	if bins != nil {
		return bins
	}
	dir, err := os.MkdirTemp("", "greeter5-bin")
	if err != nil {
		t.Fatal(err)
	}
	v5, err := proctest.Build(dir, "./server", "./client")
	if err != nil {
		t.Fatal(err)
	}
	v4dir := filepath.Join(dir, "v4")
	v4, err := proctest.BuildIn("../../..", v4dir, "./examples/greeter/server", "./examples/greeter/client", "./cmd/microreg")
	if err != nil {
		t.Fatal(err)
	}
	bins = map[string]string{
		"server": v5["server"], "client": v5["client"],
		"server4": v4["server"], "client4": v4["client"], "microreg": v4["microreg"],
	}
	return bins
}

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

// TestServerAndClientProcesses runs the go-micro v5 server and client
// programs on each network backend (see greettest.Run).
func TestServerAndClientProcesses(t *testing.T) {
	b := binaries(t)
	for _, backend := range greettest.Backends {
		t.Run(backend.Name, func(t *testing.T) { greettest.Run(t, backend, b["server"], b["client"]) })
	}
}

// TestMixedFleet runs go-micro v4 and v5 programs on one backend: a v4
// server answers a v5 client, then a v5 server a v4 client; a watcher of
// each version sees the other's nodes come and go; and microreg's CLI (a
// v4 program) lists, gets and diagnoses the v5 server.
func TestMixedFleet(t *testing.T) {
	b := binaries(t)
	for _, backend := range greettest.Backends {
		t.Run(backend.Name, func(t *testing.T) {
			flags, _ := backend.Flags(t)
			watchers := map[string]*proctest.Proc{
				"v4": proctest.Start(t, b["client4"], nil, append(flags, "--watch=5m")...),
				"v5": proctest.Start(t, b["client"], nil, append(flags, "--watch=5m")...),
			}
			for _, w := range watchers {
				w.WaitLine(t, "watching", 30*time.Second)
			}
			for _, pair := range []struct{ server, client, cli string }{
				{"server4", "client", ""},
				{"server", "client4", "microreg"},
			} {
				srv, id := greettest.StartServer(t, b[pair.server], flags)
				greettest.Hello(t, b[pair.client], flags)
				for v, w := range watchers {
					w.WaitLine(t, "watch: create greeter node "+id, 30*time.Second)
					t.Logf("the %s watcher saw %s's %s", v, pair.server, id)
				}
				if pair.cli != "" {
					cli(t, b[pair.cli], flags, []string{"services"}, "greeter")
					cli(t, b[pair.cli], flags, []string{"get", "greeter"}, id)
					cli(t, b[pair.cli], flags, []string{"doctor", "greeter"}, "greeter found")
				}
				if err := srv.Signal(syscall.SIGTERM); err != nil {
					t.Fatal(err)
				}
				for _, w := range watchers {
					w.WaitLine(t, "watch: delete greeter node "+id, 30*time.Second)
				}
				if err := srv.Wait(10 * time.Second); err != nil {
					t.Fatalf("%s after SIGTERM: %v", pair.server, err)
				}
			}
		})
	}
}

// cli runs microreg with the backend's flags and args, and fails unless it
// exits 0 and prints want.
func cli(t *testing.T, bin string, flags, args []string, want string) {
	t.Helper()
	out, err := exec.Command(bin, append(flags, args...)...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), want) {
		t.Fatalf("microreg %s: %v; want exit 0 and %q in:\n%s", strings.Join(args, " "), err, want, out)
	}
}
