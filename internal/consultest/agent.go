package consultest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Agent is one running consul agent.
type Agent struct {
	Name     string
	IP       string
	HTTPAddr string // host:port of its HTTP API
	DNSAddr  string // host:port of its DNS interface (UDP and TCP)
	SerfLAN  string // host:port others join
	SerfWAN  string // host:port servers of other datacenters join (consul join -wan)
	Server   bool

	args    []string
	dataDir string
	bin     string
	mu      sync.Mutex
	cmd     *exec.Cmd
	log     *logTail
	exited  chan struct{}
}

// ports are the free ports of one agent.
type ports struct{ http, dns, serfLAN, serfWAN, server int }

func freePorts(tb TB, ip string) ports {
	tb.Helper()
	taken := map[int]bool{}
	pick := func() int {
		// TCP and UDP both: serf uses the same port for each. Each port
		// is closed before the next is picked, so the kernel may hand the
		// same one out again: an agent given one port twice refuses to
		// start ("already configured for DNS").
		for {
			l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
			if err != nil {
				tb.Fatalf("consultest: no free port on %s: %v", ip, err)
			}
			p := l.Addr().(*net.TCPAddr).Port
			l.Close()
			if taken[p] {
				continue
			}
			u, err := net.ListenPacket("udp", net.JoinHostPort(ip, strconv.Itoa(p)))
			if err == nil {
				u.Close()
				taken[p] = true
				return p
			}
		}
	}
	return ports{pick(), pick(), pick(), pick(), pick()}
}

func (a *Agent) hcl(p ports, extra ...string) []string {
	cfg := fmt.Sprintf("ports { http = %d, https = -1, grpc = -1, grpc_tls = -1, dns = %d, serf_lan = %d, serf_wan = %d, server = %d }",
		p.http, p.dns, p.serfLAN, p.serfWAN, p.server)
	args := []string{"-hcl", cfg, "-hcl", "disable_update_check = true", "-hcl", "performance { raft_multiplier = 1 }"}
	for _, e := range extra {
		args = append(args, "-hcl", e)
	}
	return args
}

// StartDev starts a dev agent (a one-server cluster in memory) on
// 127.0.0.1, with any extra HCL given, and waits until it has a leader; it
// is killed when the test ends.
func StartDev(tb TB, hcl ...string) *Agent {
	tb.Helper()
	a := newAgent(tb, "dev", "127.0.0.1", false)
	p := freePorts(tb, a.IP)
	a.set(p)
	a.args = append([]string{"agent", "-dev", "-node", a.Name, "-bind", a.IP, "-client", a.IP}, a.hcl(p, hcl...)...)
	a.Start(tb)
	a.WaitLeader(tb, 30*time.Second)
	return a
}

func newAgent(tb TB, name, ip string, server bool) *Agent {
	a := &Agent{Name: name, IP: ip, Server: server, bin: Binary(tb), dataDir: tb.TempDir()}
	tb.Cleanup(func() {
		a.Kill()
		a.reportIfFailed(tb)
	})
	return a
}

// reportIfFailed logs the agent's warnings and errors when the test
// failed: what Consul said is often the reason.
func (a *Agent) reportIfFailed(tb TB) {
	t, ok := tb.(interface {
		Failed() bool
		Logf(string, ...any)
	})
	if !ok || !t.Failed() {
		return
	}
	var lines []string
	for _, l := range strings.Split(a.Log(), "\n") {
		if strings.Contains(l, "[ERROR]") || strings.Contains(l, "[WARN]") {
			lines = append(lines, l)
		}
	}
	lines = lines[max(0, len(lines)-40):]
	t.Logf("consultest: the last warnings and errors of %s:\n%s", a.Name, strings.Join(lines, "\n"))
}

func (a *Agent) set(p ports) {
	a.HTTPAddr = net.JoinHostPort(a.IP, strconv.Itoa(p.http))
	a.DNSAddr = net.JoinHostPort(a.IP, strconv.Itoa(p.dns))
	a.SerfLAN = net.JoinHostPort(a.IP, strconv.Itoa(p.serfLAN))
	a.SerfWAN = net.JoinHostPort(a.IP, strconv.Itoa(p.serfWAN))
}

// Start (re)starts the agent's process with the arguments it was made
// with.
func (a *Agent) Start(tb TB) {
	tb.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	cmd := exec.Command(a.bin, a.args...)
	a.log = &logTail{}
	cmd.Stdout, cmd.Stderr = a.log, a.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("consultest: start %s: %v", a.Name, err)
	}
	a.cmd = cmd
	a.exited = make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(a.exited)
}

// Kill stops the agent at once (SIGKILL) and waits for it.
func (a *Agent) Kill() {
	a.mu.Lock()
	cmd, exited := a.cmd, a.exited
	a.cmd = nil
	a.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-exited
}

// Log returns what the agent has printed.
func (a *Agent) Log() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.log == nil {
		return ""
	}
	return a.log.String()
}

// Leader returns the leader this agent knows ("" if none) or an error.
func (a *Agent) Leader() (string, error) {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + a.HTTPAddr + "/v1/status/leader")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d: %s", resp.StatusCode, b.String())
	}
	return strings.Trim(strings.TrimSpace(b.String()), `"`), nil
}

// WaitLeader polls /v1/status/leader until the agent knows a leader.
func (a *Agent) WaitLeader(tb TB, within time.Duration) string {
	tb.Helper()
	deadline := time.Now().Add(within)
	for {
		leader, err := a.Leader()
		if err == nil && leader != "" {
			return leader
		}
		select {
		case <-a.exited:
			tb.Fatalf("consultest: %s exited:\n%s", a.Name, a.Log())
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("consultest: %s has no leader after %v (%v)\n%s", a.Name, within, err, a.Log())
		}
		time.Sleep(100 * time.Millisecond) // polling interval
	}
}

// Cluster is servers and one client agent on distinct loopback addresses.
type Cluster struct {
	Servers []*Agent
	Client  *Agent
}

// StartCluster starts n servers (-bootstrap-expect=n) on 127.0.0.2... and
// a client agent after them, all joined, and waits for a leader.
func StartCluster(tb TB, n int) *Cluster {
	tb.Helper()
	c := &Cluster{}
	all := make([]*Agent, 0, n+1)
	allPorts := make([]ports, 0, n+1)
	for i := 0; i <= n; i++ {
		ip := fmt.Sprintf("127.0.0.%d", 2+i)
		server := i < n
		name := fmt.Sprintf("server%d", i+1)
		if !server {
			name = "client"
		}
		a := newAgent(tb, name, ip, server)
		p := freePorts(tb, ip)
		a.set(p)
		all, allPorts = append(all, a), append(allPorts, p)
	}
	for i, a := range all {
		args := []string{"agent", "-node", a.Name, "-bind", a.IP, "-client", a.IP, "-data-dir", a.dataDir, "-retry-interval", "1s"}
		if a.Server {
			args = append(args, "-server", "-bootstrap-expect", strconv.Itoa(n))
		} else {
			args = append(args, "-ui")
		}
		for j, other := range all {
			if j != i && other.Server {
				args = append(args, "-retry-join", other.SerfLAN)
			}
		}
		a.args = append(args, a.hcl(allPorts[i], "leave_on_terminate = false", "skip_leave_on_interrupt = true")...)
		a.Start(tb)
		if a.Server {
			c.Servers = append(c.Servers, a)
		} else {
			c.Client = a
		}
	}
	for _, a := range all {
		a.WaitLeader(tb, 60*time.Second)
	}
	return c
}

// LeaderAgent returns the server agent that is the Raft leader.
func (c *Cluster) LeaderAgent(tb TB) *Agent {
	tb.Helper()
	leader := c.Client.WaitLeader(tb, 60*time.Second)
	host, _, _ := net.SplitHostPort(leader)
	for _, s := range c.Servers {
		if s.IP == host {
			return s
		}
	}
	tb.Fatalf("consultest: leader %s is none of the servers", leader)
	return nil
}

// Followers returns the servers other than leader.
func (c *Cluster) Followers(leader *Agent) []*Agent {
	var out []*Agent
	for _, s := range c.Servers {
		if s != leader {
			out = append(out, s)
		}
	}
	return out
}

// Restart starts the agent's process again (after Kill) with extra
// arguments added for this start and later ones, e.g. "-rejoin".
func (a *Agent) Restart(tb TB, extra ...string) {
	tb.Helper()
	a.mu.Lock()
	a.args = append(a.args, extra...)
	a.mu.Unlock()
	a.Start(tb)
}

// CLI runs the consul command with args against this agent's HTTP API
// (CONSUL_HTTP_ADDR) and returns what it printed.
func (a *Agent) CLI(args ...string) (string, error) {
	cmd := exec.Command(a.bin, args...)
	cmd.Env = append(os.Environ(), "CONSUL_HTTP_ADDR="+a.HTTPAddr)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("consul %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// Pid returns the agent's process id, 0 when it is not running.
func (a *Agent) Pid() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cmd == nil || a.cmd.Process == nil {
		return 0
	}
	return a.cmd.Process.Pid
}
