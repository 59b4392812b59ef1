// Command demo is microreg's one-command demo: it starts a greeter server
// and a greeter client as two separate processes, which find each other
// through a registry backend, and prints each step.
//
//	go run ./examples/demo                      # gossip on 127.0.0.1: no setup at all
//	go run ./examples/demo --registry=consul    # CONSUL_HTTP_ADDR, or a dev agent it starts
//	go run ./examples/demo --registry=etcd      # ETCD_ENDPOINTS, or an etcd it starts
//	go run ./examples/demo --registry=mdns --interface=eth0
//
// It exits 0 when every step worked, and 1 with the reason otherwise.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/microreg/microreg/examples/greeter"
	"github.com/microreg/microreg/examples/internal/walk"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/internal/etcdtest"
	"github.com/microreg/microreg/mdns"
	"github.com/microreg/microreg/registry"
)

func main() {
	var err error
	if walk.Role() == "" {
		err = demo()
	} else {
		err = play()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// The demo hands its two processes the backend in their environment.
const (
	backendEnv   = "MICROREG_DEMO_BACKEND"
	addressEnv   = "MICROREG_DEMO_ADDRESS"
	interfaceEnv = "MICROREG_DEMO_INTERFACE"
)

// play is a child's part, with the backend the demo chose.
func play() error {
	backend, address, iface := os.Getenv(backendEnv), os.Getenv(addressEnv), os.Getenv(interfaceEnv)
	var r registry.Registry
	var err error
	switch {
	case backend == "mdns" && iface != "":
		r, err = mdns.New(mdns.Interface(iface))
	case address != "":
		r, err = registry.New(backend, registry.Addrs(registry.SplitAddrs(address)...))
	default:
		r, err = registry.New(backend)
	}
	if err != nil {
		return err
	}
	defer registry.Close(r)
	return walk.Play(r)
}

func demo() error {
	backend := flag.String("registry", greeter.DefaultBackend, "backend: gossip, consul, etcd or mdns")
	address := flag.String("registry_address", "", "the backend's addresses (gossip: members to join; consul: agents; etcd: endpoints)")
	iface := flag.String("interface", "", "mdns: the network interface to use (default: every multicast interface)")
	name := flag.String("greet", "John", "the name the client greets")
	timeout := flag.Duration("timeout", 60*time.Second, "how long each step may take")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	agents := &consultest.Program{}
	defer agents.Close()

	switch *backend {
	case "gossip":
		if *address == "" {
			say("registry: gossip, the embedded default: every process is a member of a peer-to-peer")
			say("          cluster on 127.0.0.1 (the first listens on port 7946, the others join it); no server")
		} else {
			say("registry: gossip, joining %s", *address)
		}
	case "consul":
		if *address == "" {
			*address = os.Getenv("CONSUL_HTTP_ADDR")
		}
		if *address != "" {
			say("registry: consul, the agent at %s", *address)
			break
		}
		say("registry: consul; CONSUL_HTTP_ADDR is not set, so starting a dev agent on 127.0.0.1")
		say("          (the first time, this builds Consul from tools/consul: minutes)")
		var agent *consultest.Agent
		if err := agents.Run(func() { agent = consultest.StartDev(agents) }); err != nil {
			return err
		}
		*address = agent.HTTPAddr
		say("          dev agent ready at %s", *address)
	case "etcd":
		if *address == "" {
			*address = os.Getenv("ETCD_ENDPOINTS")
		}
		if *address != "" {
			say("registry: etcd, the endpoints %s", *address)
			break
		}
		say("registry: etcd; ETCD_ENDPOINTS is not set, so starting one etcd member on 127.0.0.1")
		say("          (the first time, this builds etcd from tools/etcd: a minute or so)")
		var m *etcdtest.Member
		if err := agents.Run(func() { m = etcdtest.Start(agents) }); err != nil {
			return err
		}
		*address = m.Addr
		say("          etcd ready at %s", *address)
	case "mdns":
		if *iface != "" {
			say("registry: mdns on interface %s", *iface)
		} else {
			say("registry: mdns on every multicast interface (name one with --interface)")
		}
	default:
		return fmt.Errorf("--registry=%s: this demo runs gossip, consul, etcd or mdns (memory lives in one process)", *backend)
	}
	env := []string{backendEnv + "=" + *backend, addressEnv + "=" + *address, interfaceEnv + "=" + *iface, walk.GreetEnv + "=" + *name}

	say("1. starting the greeter server")
	srv, err := walk.Start(ctx, "server", env...)
	if err != nil {
		return err
	}
	defer srv.Kill()
	line, err := srv.Expect("registered", *timeout)
	if err != nil {
		return err
	}
	say("   server: %s", line)

	say("2. starting the greeter client, in a process of its own")
	cli, err := walk.Start(ctx, "client", env...)
	if err != nil {
		return err
	}
	defer cli.Kill()
	for _, want := range []string{"discovered", "reply"} {
		line, err := cli.Expect(want, *timeout)
		if err != nil {
			return err
		}
		say("   client: %s", line)
	}

	say("3. stopping the server (SIGTERM): it deregisters")
	if err := srv.Stop(*timeout); err != nil {
		return err
	}
	say("   server stopped")
	if line, err = cli.Expect("gone", *timeout); err != nil {
		return err
	}
	say("   client: %s", line)
	if err := cli.Wait(*timeout); err != nil {
		return err
	}
	say("done: the client found the server, got its reply, and saw it leave.")
	return nil
}

func say(format string, args ...any) { fmt.Printf(format+"\n", args...) }
