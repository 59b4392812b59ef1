package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"sort"
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
		keep := flag.Bool("keep", false, "after the last step, keep the cluster and a greeter server up until Ctrl-C")
		servers := flag.Int("servers", 3, "Consul servers to run, 2 to 5 (2: the tutorial's, which cannot survive its leader's death)")
		flag.Parse()
		if *servers < 2 || *servers > 5 {
			err = fmt.Errorf("--servers=%d: want 2 to 5", *servers)
		} else {
			err = walkthrough(options{keep: *keep, servers: *servers})
		}
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

// options are the command's flags.
type options struct {
	keep    bool // stay up after the last step, until Ctrl-C
	servers int  // Consul servers to run
}

func walkthrough(o options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	prog := &consultest.Program{}
	defer func() {
		say("tearing down: every agent and greeter process is stopped")
		prog.Close()
	}()
	var err error
	// Fatalf in the helpers ends this function with an error.
	if ferr := prog.Run(func() { err = steps(ctx, prog, o) }); ferr != nil {
		return ferr
	}
	return err
}

func steps(ctx context.Context, prog *consultest.Program, o options) error {
	n := o.servers
	say("1. starting %d Consul servers (-server -bootstrap-expect=%d) and a client agent on 127.0.0.2-%d", n, n, 2+n)
	c := consultest.StartCluster(prog, n)
	for _, a := range append(c.Servers, c.Client) {
		role := "server"
		if !a.Server {
			role = "client, UI at http://" + a.HTTPAddr + "/ui"
		}
		say("   %-8s %s (HTTP %s, serf %s)", a.Name, role, a.HTTPAddr, a.SerfLAN)
	}

	agents := n + 1
	say("2. consul members: all %d alive", agents)
	if err := waitMembers(ctx, c.Client, func(st map[string]string) bool { return count(st, "alive") == agents }); err != nil {
		return err
	}

	say("3. the Raft leader (consul operator raft list-peers, and consul info on each server)")
	out, err := c.Client.CLI("operator", "raft", "list-peers")
	if err != nil {
		return err
	}
	indent(out)
	leader := c.LeaderAgent(prog)
	if err := raftInfo(c.Servers); err != nil {
		return err
	}
	say("   /v1/status/leader: %s", leader.Name)
	followers := c.Followers(leader)

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

	finder := followers[len(followers)-1]
	say("5. the greeter server registers through the client agent; a greeter client finds it through %s's agent", finder.Name)
	srv, err := startGreeter(ctx, c)
	if err != nil {
		return err
	}
	defer srv.Kill()
	cli1, err := greet(ctx, finder, "Ann")
	if err != nil {
		return err
	}
	defer cli1.Kill()

	say("6. on %s, every registered service (consul catalog services -tags) and the greeter's instances", leader.Name)
	if err := catalog(leader); err != nil {
		return err
	}

	say("7. %s stops (killed): consul members shows it failed", followers[0].Name)
	followers[0].Kill()
	var gone string
	if err := waitMembers(ctx, c.Client, func(st map[string]string) bool {
		gone = st[followers[0].Name]
		return gone == "failed" || gone == "left"
	}); err != nil {
		return err
	}
	if gone == "left" {
		// Autopilot's dead-server cleanup can remove a failed server
		// (a forced leave) before the failure is seen; -rejoin brings
		// it back the same way.
		say("   (%s is already left: autopilot removed the failed server from the cluster)", followers[0].Name)
	}

	say("8. %s restarts with -rejoin: alive again", followers[0].Name)
	followers[0].Restart(prog, "-rejoin")
	if err := waitMembers(ctx, c.Client, func(st map[string]string) bool { return count(st, "alive") == agents }); err != nil {
		return err
	}
	// Alive in serf is not yet a vote in Raft: autopilot may have removed
	// the failed server from the Raft configuration, and adds it back as a
	// voter only after it has been stable for a while. Killing the leader
	// before then would leave one voter of two, and no election could win.
	if err := waitVoters(ctx, c.Client, len(c.Servers)); err != nil {
		return err
	}

	quorum := n/2 + 1
	if n-1 >= quorum {
		say("9. the leader, %s, is killed: a new leader is elected (%d of %d servers left, a quorum is %d)", leader.Name, n-1, n, quorum)
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
	} else {
		say("9. the leader, %s, is killed: %d of %d servers left, short of a quorum of %d: no election can be won", leader.Name, n-1, n, quorum)
		leader.Kill()
		if err := noLeader(ctx, followers); err != nil {
			return err
		}
		say("   quorum lost: no leader, so no writes; this is why the walkthrough runs 3 servers by default (Consul recommends 3 or 5)")
	}
	say("   the greeter is still discoverable, through %s's agent", followers[0].Name)
	cli2, err := greet(ctx, followers[0], "Bob")
	if err != nil {
		return err
	}
	defer cli2.Kill()
	if n-1 < quorum || o.keep {
		say("   %s restarts with -rejoin: the cluster has its servers back", leader.Name)
		leader.Restart(prog, "-rejoin")
		if err := waitMembers(ctx, c.Client, func(st map[string]string) bool { return count(st, "alive") == agents }); err != nil {
			return err
		}
		l := c.LeaderAgent(prog)
		say("   leader: %s", l.Name)
	}

	say("10. the greeter server stops (SIGTERM) and deregisters: both clients see it go")
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
	if !o.keep {
		return nil
	}
	return keep(ctx, c)
}

// keep starts the greeter server again, prints what to look at, and
// waits for Ctrl-C.
func keep(ctx context.Context, c *consultest.Cluster) error {
	say("11. --keep: the greeter server registers again; everything stays up")
	srv, err := startGreeter(ctx, c)
	if err != nil {
		return err
	}
	defer srv.Kill()
	ui := "http://" + c.Client.HTTPAddr + "/ui/dc1"
	env := "CONSUL_HTTP_ADDR=" + c.Client.HTTPAddr
	say("   open the UI:       %s/nodes", ui)
	say("                      %s/services/greeter/instances", ui)
	say("   try Consul's CLI:  %s consul members", env)
	say("                      %s consul catalog services -tags", env)
	say("                      %s consul catalog nodes -service=greeter", env)
	say("                      %s consul operator raft list-peers", env)
	say("   and microreg's:    go run ./cmd/microreg --registry consul --registry_address %s services", c.Client.HTTPAddr)
	say("                      go run ./cmd/microreg --registry consul --registry_address %s get greeter", c.Client.HTTPAddr)
	say("   press Ctrl-C to tear everything down")
	<-ctx.Done()
	return nil
}

// raftInfo prints the Raft lines of consul info on each server (its
// state, the leader it knows) and checks that exactly one leads.
func raftInfo(servers []*consultest.Agent) error {
	leaders := 0
	for _, s := range servers {
		out, err := s.CLI("info")
		if err != nil {
			return err
		}
		state, addr := infoValue(out, "raft", "state"), infoValue(out, "consul", "leader_addr")
		say("   consul info on %s: raft state = %s, leader_addr = %s", s.Name, state, addr)
		if state == "Leader" {
			leaders++
		}
	}
	if leaders != 1 {
		return fmt.Errorf("consul info: %d servers say they lead, want 1", leaders)
	}
	return nil
}

// infoValue returns key's value in section of consul info's output.
func infoValue(out, section, key string) string {
	in := false
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "\t") {
			in = strings.TrimSuffix(strings.TrimSpace(l), ":") == section
			continue
		}
		if k, v, ok := strings.Cut(strings.TrimSpace(l), " = "); in && ok && k == key {
			return v
		}
	}
	return ""
}

// catalog prints, from server a, every service with its tags and the
// greeter's instances: the CLI's node list, then each instance's address,
// plain Meta and checks from /v1/health/service/greeter.
func catalog(a *consultest.Agent) error {
	out, err := a.CLI("catalog", "services", "-tags")
	if err != nil {
		return err
	}
	indent(out)
	say("   (microreg and microreg-version= are microreg's tags; t-, e- and v- are go-micro's consul plugin's:")
	say("   hex(zlib) of metadata, endpoints and version, so that services on the plugin can read it too)")
	if !strings.Contains(out, "greeter") {
		return fmt.Errorf("consul catalog services on %s does not name the greeter:\n%s", a.Name, out)
	}
	if out, err = a.CLI("catalog", "nodes", "-service=greeter"); err != nil {
		return err
	}
	indent(out)
	resp, err := http.Get("http://" + a.HTTPAddr + "/v1/health/service/greeter")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var entries []*api.ServiceEntry
	if err := json.NewDecoder(resp.Body).Decode(&entries); err != nil {
		return err
	}
	say("   /v1/health/service/greeter on %s:", a.Name)
	for _, e := range entries {
		var meta []string
		for k, v := range e.Service.Meta {
			if !strings.HasPrefix(k, "microreg") { // the compressed rest: endpoints
				meta = append(meta, k+"="+v)
			}
		}
		sort.Strings(meta)
		var checks []string
		for _, h := range e.Checks {
			checks = append(checks, h.Name+": "+h.Status)
		}
		say("     %s on node %s at %s:%d", e.Service.ID, e.Node.Node, e.Service.Address, e.Service.Port)
		say("       Meta %s", strings.Join(meta, " "))
		say("       checks %s", strings.Join(checks, ", "))
	}
	return nil
}

// noLeader waits until every server left says there is no leader, then
// watches for a few election timeouts that none is elected.
func noLeader(ctx context.Context, left []*consultest.Agent) error {
	deadline := time.Now().Add(within)
	for {
		none := true
		for _, s := range left {
			if l, err := s.Leader(); err == nil && l != "" {
				none = false
			}
		}
		if none {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the servers left still name a leader after %v", within)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond): // polling interval
		}
	}
	// raft_multiplier = 1: an election times out within about a second.
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); {
		for _, s := range left {
			if l, err := s.Leader(); err == nil && l != "" {
				return fmt.Errorf("%s elected %s without a quorum", s.Name, l)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond): // polling interval of an observation
		}
	}
	for _, s := range left {
		out, err := s.CLI("info")
		if err != nil {
			return err
		}
		say("   consul info on %s: raft state = %s, leader_addr = %q", s.Name, infoValue(out, "raft", "state"), infoValue(out, "consul", "leader_addr"))
	}
	say("   /v1/status/leader: none, for 3 s of election timeouts")
	return nil
}

// startGreeter starts a greeter server registering through the client
// agent and waits until it says it is registered.
func startGreeter(ctx context.Context, c *consultest.Cluster) (*walk.Child, error) {
	srv, err := walk.Start(ctx, "server", agentEnv+"="+c.Client.HTTPAddr)
	if err != nil {
		return nil, err
	}
	if err := expect(srv, "server", "registered"); err != nil {
		srv.Kill()
		return nil, err
	}
	return srv, nil
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
