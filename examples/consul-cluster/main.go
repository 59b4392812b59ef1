// Command consul-cluster is the Vagrant cluster of Consul's tutorials on
// one machine, with no VMs: three Consul servers (-server
// -bootstrap-expect=3) and one client agent (with the UI) on 127.0.0.2
// to 127.0.0.5, and a walk through what a cluster does, printing each
// step: members, the Raft leader, the KV store, the greeter registered
// through the client agent and found through a server's, a server that
// fails and rejoins, and a leader that dies and is replaced while the
// greeter stays discoverable.
//
//	go run ./examples/consul-cluster
//
// Consul is the consul on PATH, or one built once from tools/consul
// (minutes, the first time). Every agent runs with
// disable_update_check = true, so nothing leaves loopback. Everything is
// torn down on exit, also on Ctrl-C.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/examples/internal/walk"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/registry"
)

// agentEnv is the HTTP address of the agent a greeter process uses.
const agentEnv = "MICROREG_CLUSTER_AGENT"

func main() {
	var err error
	if walk.Role() == "" {
		err = walkthrough()
	} else {
		r := consul.NewRegistry(registry.Addrs(os.Getenv(agentEnv)))
		err = walk.Play(r)
		registry.Close(r)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "consul-cluster:", err)
		os.Exit(1)
	}
}

func say(format string, args ...any) { fmt.Printf(format+"\n", args...) }

// indent prints a command's output under its step.
func indent(out string) {
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		fmt.Println("     " + l)
	}
}

// within is how long any one step may take.
const within = 90 * time.Second

func walkthrough() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	prog := &consultest.Program{}
	defer func() {
		say("tearing down: every agent and greeter process is stopped")
		prog.Close()
	}()
	var err error
	// Fatalf in the helpers ends this function with an error.
	if ferr := prog.Run(func() { err = steps(ctx, prog) }); ferr != nil {
		return ferr
	}
	return err
}

func steps(ctx context.Context, prog *consultest.Program) error {
	say("1. starting 3 Consul servers (-server -bootstrap-expect=3) and a client agent on 127.0.0.2-5")
	c := consultest.StartCluster(prog, 3)
	for _, a := range append(c.Servers, c.Client) {
		role := "server"
		if !a.Server {
			role = "client, UI at http://" + a.HTTPAddr + "/ui"
		}
		say("   %-8s %s (HTTP %s, serf %s)", a.Name, role, a.HTTPAddr, a.SerfLAN)
	}

	say("2. consul members: all four alive")
	if err := waitMembers(ctx, c.Client, func(st map[string]string) bool { return count(st, "alive") == 4 }); err != nil {
		return err
	}

	say("3. the Raft leader (consul operator raft list-peers)")
	out, err := c.Client.CLI("operator", "raft", "list-peers")
	if err != nil {
		return err
	}
	indent(out)
	leader := c.LeaderAgent(prog)
	say("   /v1/status/leader: %s", leader.Name)
	var followers []*consultest.Agent
	for _, s := range c.Servers {
		if s != leader {
			followers = append(followers, s)
		}
	}

	say("4. consul kv put hello world on the client agent, kv get hello from %s", followers[0].Name)
	if out, err = c.Client.CLI("kv", "put", "hello", "world"); err != nil {
		return err
	}
	indent(out)
	if out, err = followers[0].CLI("kv", "get", "hello"); err != nil {
		return err
	}
	indent(out)
	if strings.TrimSpace(out) != "world" {
		return fmt.Errorf("kv get hello from %s: %q, want world", followers[0].Name, out)
	}

	say("5. the greeter server registers through the client agent; a greeter client finds it through %s's agent", followers[1].Name)
	srv, err := walk.Start(ctx, "server", agentEnv+"="+c.Client.HTTPAddr)
	if err != nil {
		return err
	}
	defer srv.Kill()
	if err := expect(srv, "server", "registered"); err != nil {
		return err
	}
	cli1, err := greet(ctx, followers[1], "Ann")
	if err != nil {
		return err
	}
	defer cli1.Kill()

	say("6. %s stops (killed): consul members shows it failed", followers[0].Name)
	followers[0].Kill()
	if err := waitMembers(ctx, c.Client, func(st map[string]string) bool { return st[followers[0].Name] == "failed" }); err != nil {
		return err
	}

	say("7. %s restarts with -rejoin: alive again", followers[0].Name)
	followers[0].Restart(prog, "-rejoin")
	if err := waitMembers(ctx, c.Client, func(st map[string]string) bool { return count(st, "alive") == 4 }); err != nil {
		return err
	}
	// Alive in serf is not yet a vote in Raft: autopilot may have removed
	// the failed server from the Raft configuration, and adds it back as a
	// voter only after it has been stable for a while. Killing the leader
	// before then would leave one voter of two, and no election could win.
	if err := waitVoters(ctx, c.Client, len(c.Servers)); err != nil {
		return err
	}

	say("8. the leader, %s, is killed: a new leader is elected", leader.Name)
	start := time.Now()
	leader.Kill()
	next, err := newLeader(ctx, c.Client, leader.SerfLAN)
	if err != nil {
		return err
	}
	for _, s := range c.Servers {
		if strings.HasPrefix(next, s.IP+":") {
			next = s.Name + " (" + next + ")"
		}
	}
	say("   new leader %s after %v", next, time.Since(start).Round(time.Millisecond))
	say("   the greeter is still discoverable, through %s's agent", followers[0].Name)
	cli2, err := greet(ctx, followers[0], "Bob")
	if err != nil {
		return err
	}
	defer cli2.Kill()

	say("9. the greeter server stops (SIGTERM) and deregisters: both clients see it go")
	if err := srv.Stop(within); err != nil {
		return err
	}
	for i, cli := range []*walk.Child{cli1, cli2} {
		if err := expect(cli, fmt.Sprintf("client %d", i+1), "gone"); err != nil {
			return err
		}
		if err := cli.Wait(within); err != nil {
			return err
		}
	}
	say("done: the cluster elected leaders, lost and regained members, and kept the greeter discoverable.")
	return nil
}

// greet starts a greeter client through agent a and waits for its reply.
func greet(ctx context.Context, a *consultest.Agent, name string) (*walk.Child, error) {
	cli, err := walk.Start(ctx, "client", agentEnv+"="+a.HTTPAddr, walk.GreetEnv+"="+name)
	if err != nil {
		return nil, err
	}
	for _, want := range []string{"discovered", "reply"} {
		if err := expect(cli, "client", want); err != nil {
			cli.Kill()
			return nil, err
		}
	}
	return cli, nil
}

func expect(ch *walk.Child, who, prefix string) error {
	line, err := ch.Expect(prefix, within)
	if err != nil {
		return err
	}
	say("   %s: %s", who, line)
	return nil
}

// members runs consul members on a and returns each node's status.
func members(a *consultest.Agent) (string, map[string]string, error) {
	out, err := a.CLI("members")
	if err != nil {
		return out, nil, err
	}
	st := map[string]string{}
	for _, l := range strings.Split(out, "\n")[1:] {
		if f := strings.Fields(l); len(f) >= 3 {
			st[f[0]] = f[2]
		}
	}
	return out, st, nil
}

// waitMembers polls consul members until ok holds, then prints it.
func waitMembers(ctx context.Context, a *consultest.Agent, ok func(map[string]string) bool) error {
	deadline := time.Now().Add(within)
	for {
		out, st, err := members(a)
		if err == nil && ok(st) {
			indent(out)
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("consul members did not show the expected state within %v:\n%s%v", within, out, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond): // polling interval
		}
	}
}

func count(st map[string]string, status string) int {
	n := 0
	for _, s := range st {
		if s == status {
			n++
		}
	}
	return n
}

// waitVoters polls a's Raft configuration until it has n voters.
func waitVoters(ctx context.Context, a *consultest.Agent, n int) error {
	cl, err := api.NewClient(&api.Config{Address: a.HTTPAddr})
	if err != nil {
		return err
	}
	deadline := time.Now().Add(within)
	for {
		voters := 0
		cfg, err := cl.Operator().RaftGetConfiguration(nil)
		if err == nil {
			for _, s := range cfg.Servers {
				if s.Voter {
					voters++
				}
			}
			if voters == n {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d Raft voters within %v (%v)", voters, n, within, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond): // polling interval
		}
	}
}

// newLeader polls a's /v1/status/leader until it names a leader other
// than old (a server's host:port of Raft; compared by host).
func newLeader(ctx context.Context, a *consultest.Agent, oldSerf string) (string, error) {
	oldHost := strings.Split(oldSerf, ":")[0]
	deadline := time.Now().Add(within)
	for {
		l, err := a.Leader()
		if err == nil && l != "" && strings.Split(l, ":")[0] != oldHost {
			return l, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no new leader within %v (last: %q, %v)", within, l, err)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(100 * time.Millisecond): // polling interval
		}
	}
}
