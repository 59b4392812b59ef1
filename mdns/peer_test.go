package mdns_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"go-micro.dev/v4"
	gmregistry "go-micro.dev/v4/registry"

	"github.com/microreg/microreg/examples/greeter"
	"github.com/microreg/microreg/internal/proctest"
	"github.com/microreg/microreg/mdns"
	"github.com/microreg/microreg/registry"
)

// peerEnv names the role a re-executed test binary plays in a mixed fleet:
// "server:" or "client:" and "gomicro", "microreg" or "default". Each is
// an ordinary go-micro program (the greeter) whose registry is go-micro's
// own mDNS registry, microreg's on lo, or microreg's with no options.
const peerEnv = "MICROREG_MDNS_PEER"

// peer runs one role and returns the exit status.
func peer(role string) int {
	if err := runPeer(role); err != nil {
		fmt.Fprintln(os.Stderr, role+":", err)
		return 1
	}
	return 0
}

func runPeer(role string) error {
	kind, backend, _ := strings.Cut(role, ":")
	var r registry.Registry
	switch backend {
	case "gomicro":
		r = gmregistry.NewRegistry()
	case "microreg":
		m, err := mdns.New(mdns.Interface("lo"))
		if err != nil {
			return err
		}
		defer registry.Close(m)
		r = m
	case "default":
		// As a new user writes it: no options at all (every interface
		// up and multicast-capable, which in the test's namespace is lo).
		m := mdns.NewRegistry()
		defer registry.Close(m)
		r = m
	default:
		return fmt.Errorf("unknown backend %q", backend)
	}
	switch kind {
	case "server":
		signals, stop := greeter.UntilSignal()
		defer stop()
		var svc micro.Service
		svc, err := greeter.NewServer(r, append(signals, micro.AfterStart(func() error {
			id, addr := greeter.Node(svc)
			fmt.Printf("registered %s at %s\n", id, addr)
			return nil
		}))...)
		if err != nil {
			return err
		}
		return svc.Run()
	case "client":
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		reply, err := greeter.Hello(ctx, greeter.NewClient(r).Client(), "Ann")
		if err != nil {
			return err
		}
		fmt.Printf("reply: %q\n", reply)
		return nil
	}
	return fmt.Errorf("unknown role %q", kind)
}

// TestMixedFleetRPC: a greeter server on one registry and a client on the
// other, each its own process started after the server registered, call
// each other through go-micro's own client and server, both ways; and the
// everyday order on microreg alone, server and client each built with
// mdns.NewRegistry() and no options.
func TestMixedFleetRPC(t *testing.T) {
	for _, c := range []struct{ server, client string }{
		{"gomicro", "microreg"},
		{"microreg", "gomicro"},
		{"default", "default"},
	} {
		t.Run(c.server+"-server_"+c.client+"-client", func(t *testing.T) {
			srv := proctest.Start(t, os.Args[0], []string{peerEnv + "=server:" + c.server})
			srv.WaitLine(t, "registered", 15*time.Second)
			cli := proctest.Start(t, os.Args[0], []string{peerEnv + "=client:" + c.client})
			if err := cli.Wait(20 * time.Second); err != nil {
				t.Fatalf("client: %v\n%s", err, cli.Output())
			}
			if out := cli.Output(); !strings.Contains(out, `reply: "Hello Ann"`) {
				t.Fatalf("client output:\n%s", out)
			}
			if err := srv.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if err := srv.Wait(10 * time.Second); err != nil {
				t.Fatalf("server did not stop cleanly: %v\n%s", err, srv.Output())
			}
		})
	}
}
