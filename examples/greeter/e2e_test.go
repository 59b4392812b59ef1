package greeter_test

import (
	"context"
	"os"
	"testing"
	"time"

	"go-micro.dev/v4"

	"github.com/microreg/microreg/examples/greeter"
	"github.com/microreg/microreg/internal/greettest"
	"github.com/microreg/microreg/internal/netns"
	"github.com/microreg/microreg/internal/proctest"
	"github.com/microreg/microreg/memory"
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

// TestServerAndClientProcesses runs the real server and client programs
// for each network backend: the client gets its reply, a server stopped
// with SIGTERM deregisters, and one killed with SIGKILL is gone after its
// TTL (see greettest.Run).
func TestServerAndClientProcesses(t *testing.T) {
	b := binaries(t)
	for _, backend := range greettest.Backends {
		t.Run(backend.Name, func(t *testing.T) { greettest.Run(t, backend, b["server"], b["client"]) })
	}
}
