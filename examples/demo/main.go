// Command demo is microreg's one-command demo: it starts a greeter server
// and a greeter client as two separate processes, which find each other
// through a registry backend, and prints each step.
//
//	go run ./examples/demo                      # gossip on 127.0.0.1: no setup at all
//	go run ./examples/demo --registry=consul    # CONSUL_HTTP_ADDR, or a dev agent it starts
//	go run ./examples/demo --registry=mdns --interface=eth0
//
// It exits 0 when every step worked, and 1 with the reason otherwise.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go-micro.dev/v4"

	"github.com/microreg/microreg/examples/greeter"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/mdns"
	"github.com/microreg/microreg/registry"
)

// roleEnv tells a copy of this program which part to play.
const roleEnv = "MICROREG_DEMO_ROLE"

func main() {
	var err error
	switch role := os.Getenv(roleEnv); role {
	case "":
		err = demo()
	case "server":
		err = serve()
	case "client":
		err = call()
	default:
		err = fmt.Errorf("unknown %s %q", roleEnv, role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// config is what the demo hands its two processes, in their environment.
type config struct {
	backend, address, iface, name string
}

func (c config) env(role string) []string {
	return []string{roleEnv + "=" + role, "DEMO_BACKEND=" + c.backend, "DEMO_ADDRESS=" + c.address,
		"DEMO_INTERFACE=" + c.iface, "DEMO_GREET=" + c.name}
}

func configFromEnv() config {
	return config{os.Getenv("DEMO_BACKEND"), os.Getenv("DEMO_ADDRESS"), os.Getenv("DEMO_INTERFACE"), os.Getenv("DEMO_GREET")}
}

// newRegistry builds the backend a process of the demo uses.
func (c config) newRegistry() (registry.Registry, error) {
	if c.backend == "mdns" && c.iface != "" {
		return mdns.New(mdns.Interface(c.iface))
	}
	var opts []registry.Option
	if c.address != "" {
		opts = append(opts, registry.Addrs(registry.SplitAddrs(c.address)...))
	}
	return registry.New(c.backend, opts...)
}

func demo() error {
	var c config
	flag.StringVar(&c.backend, "registry", greeter.DefaultBackend, "backend: gossip, consul or mdns")
	flag.StringVar(&c.address, "registry_address", "", "the backend's addresses (gossip: members to join; consul: agents)")
	flag.StringVar(&c.iface, "interface", "", "mdns: the network interface to use (default: every multicast interface)")
	flag.StringVar(&c.name, "greet", "John", "the name the client greets")
	timeout := flag.Duration("timeout", 60*time.Second, "how long each step may take")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	agents := &consultest.Program{}
	defer agents.Close()

	switch c.backend {
	case "gossip":
		if c.address == "" {
			say("registry: gossip, the embedded default: every process is a member of a peer-to-peer")
			say("          cluster on 127.0.0.1 (the first listens on port %d, the others join it); no server", 7946)
		} else {
			say("registry: gossip, joining %s", c.address)
		}
	case "consul":
		if c.address == "" {
			c.address = os.Getenv("CONSUL_HTTP_ADDR")
		}
		if c.address != "" {
			say("registry: consul, the agent at %s", c.address)
		} else {
			say("registry: consul; CONSUL_HTTP_ADDR is not set, so starting a dev agent on 127.0.0.1")
			say("          (the first time, this builds Consul from tools/consul: minutes)")
			var agent *consultest.Agent
			if err := agents.Run(func() { agent = consultest.StartDev(agents) }); err != nil {
				return err
			}
			c.address = agent.HTTPAddr
			say("          dev agent ready at %s", c.address)
		}
	case "mdns":
		if c.iface != "" {
			say("registry: mdns on interface %s", c.iface)
		} else {
			say("registry: mdns on every multicast interface (name one with --interface)")
		}
	default:
		return fmt.Errorf("--registry=%s: this demo runs gossip, consul or mdns (memory lives in one process)", c.backend)
	}

	self, err := os.Executable()
	if err != nil {
		return err
	}
	say("1. starting the greeter server")
	srv, err := start(ctx, self, "server", c)
	if err != nil {
		return err
	}
	defer srv.kill()
	line, err := srv.expect("registered", *timeout)
	if err != nil {
		return err
	}
	say("   server: %s", line)

	say("2. starting the greeter client, in a process of its own")
	cli, err := start(ctx, self, "client", c)
	if err != nil {
		return err
	}
	defer cli.kill()
	for _, want := range []string{"discovered", "reply"} {
		line, err := cli.expect(want, *timeout)
		if err != nil {
			return err
		}
		say("   client: %s", line)
	}

	say("3. stopping the server (SIGTERM): it deregisters")
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	if err := srv.wait(*timeout); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	say("   server stopped")
	line, err = cli.expect("gone", *timeout)
	if err != nil {
		return err
	}
	say("   client: %s", line)
	if err := cli.wait(*timeout); err != nil {
		return fmt.Errorf("client: %w", err)
	}
	say("done: the client found the server, got its reply, and saw it leave.")
	return nil
}

func say(format string, args ...any) { fmt.Printf(format+"\n", args...) }

// child is a running copy of this program in one role.
type child struct {
	role  string
	cmd   *exec.Cmd
	lines chan string
	done  chan error
	log   strings.Builder
}

func start(ctx context.Context, self, role string, c config) (*child, error) {
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), c.env(role)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the %s: %w", role, err)
	}
	ch := &child{role: role, cmd: cmd, lines: make(chan string, 1024), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			ch.lines <- sc.Text()
		}
		close(ch.lines)
		ch.done <- cmd.Wait()
	}()
	return ch, nil
}

// expect waits for a line of the child's own output that starts with
// prefix (go-micro's log lines are kept for an error message).
func (ch *child) expect(prefix string, within time.Duration) (string, error) {
	deadline := time.After(within)
	for {
		select {
		case line, ok := <-ch.lines:
			if !ok {
				return "", fmt.Errorf("the %s exited before saying %q:\n%s", ch.role, prefix, ch.log.String())
			}
			if strings.HasPrefix(line, prefix) {
				return line, nil
			}
			ch.log.WriteString(line + "\n")
		case <-deadline:
			return "", fmt.Errorf("the %s did not say %q within %v:\n%s", ch.role, prefix, within, ch.log.String())
		}
	}
}

func (ch *child) wait(within time.Duration) error {
	go func() {
		for range ch.lines { // drain, so the child never blocks on its output
		}
	}()
	select {
	case err := <-ch.done:
		ch.done <- err
		return err
	case <-time.After(within):
		return fmt.Errorf("the %s did not exit within %v", ch.role, within)
	}
}

func (ch *child) kill() {
	_ = ch.cmd.Process.Kill()
}

// serve is the server process: a greeter server until SIGTERM.
func serve() error {
	c := configFromEnv()
	r, err := c.newRegistry()
	if err != nil {
		return err
	}
	defer registry.Close(r)
	var srv micro.Service
	srv, err = greeter.NewServer(r, micro.AfterStart(func() error {
		id, addr := greeter.Node(srv)
		fmt.Printf("registered greeter node %s at %s\n", id, addr)
		return nil
	}))
	if err != nil {
		return err
	}
	return srv.Run()
}

// call is the client process: discover, greet, then wait for the server
// to leave.
func call() error {
	c := configFromEnv()
	r, err := c.newRegistry()
	if err != nil {
		return err
	}
	defer registry.Close(r)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	id, addr, err := greeter.Discover(ctx, r)
	if err != nil {
		return err
	}
	fmt.Printf("discovered greeter node %s at %s\n", id, addr)
	reply, err := greeter.Hello(ctx, greeter.NewClient(r).Client(), c.name)
	if err != nil {
		return err
	}
	fmt.Printf("reply %q\n", reply)
	if err := greeter.WaitGone(ctx, r, id); err != nil {
		return err
	}
	fmt.Printf("gone: greeter node %s left the registry\n", id)
	return nil
}
