// Package etcdtest runs real etcd servers for tests and demos, on loopback
// only: one member, or a cluster of three. The binary is the etcd on PATH,
// or one built once from the repository's tools/etcd module (pinned by its
// go.sum) into the user cache directory. Tests pass their testing.TB;
// programs pass a consultest.Program.
package etcdtest

import (
	"context"
	"crypto/tls"
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

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/internal/toolbin"
)

// Version is the etcd version tools/etcd pins.
const Version = "v3.7.3"

// TB is what the helpers need of their caller (testing.TB, or a
// consultest.Program).
type TB = consultest.TB

// Binary returns the path of an etcd binary, building it if need be.
func Binary(tb TB) string {
	tb.Helper()
	path, err := toolbin.Path("etcd", "etcd", Version, "go.etcd.io/etcd/server/v3")
	if err != nil {
		tb.Fatalf("etcdtest: no etcd binary: %v", err)
	}
	return path
}

// Member is one etcd server.
type Member struct {
	Name      string
	ClientURL string // http://127.0.0.1:PORT
	PeerURL   string
	Addr      string // 127.0.0.1:PORT of ClientURL

	bin     string
	dataDir string
	mu      sync.Mutex
	args    []string
	extra   []string
	cmd     *exec.Cmd
	exited  chan struct{}
	log     *strings.Builder
	logMu   sync.Mutex
}

func freePort(tb TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("etcdtest: no free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func newMember(tb TB, name, scheme string) *Member {
	c, p := freePort(tb), freePort(tb)
	for p == c {
		p = freePort(tb)
	}
	m := &Member{Name: name, bin: Binary(tb), dataDir: tb.TempDir(),
		ClientURL: fmt.Sprintf("%s://127.0.0.1:%d", scheme, c), PeerURL: fmt.Sprintf("http://127.0.0.1:%d", p),
		Addr: "127.0.0.1:" + strconv.Itoa(c)}
	tb.Cleanup(m.Kill)
	return m
}

func (m *Member) setArgs(cluster, state, token string, extra ...string) {
	m.extra = extra
	m.args = append([]string{
		"--name", m.Name, "--data-dir", m.dataDir,
		"--listen-client-urls", m.ClientURL, "--advertise-client-urls", m.ClientURL,
		"--listen-peer-urls", m.PeerURL, "--initial-advertise-peer-urls", m.PeerURL,
		"--initial-cluster", cluster, "--initial-cluster-state", state, "--initial-cluster-token", token,
		"--heartbeat-interval", "50", "--election-timeout", "500", "--log-level", "warn",
	}, extra...)
}

// Start (re)starts the member's process with the arguments it was made
// with.
func (m *Member) Start(tb TB) {
	tb.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	cmd := exec.Command(m.bin, m.args...)
	log := &lockedWriter{m: m}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	m.logMu.Lock()
	m.log = &strings.Builder{}
	m.logMu.Unlock()
	if err := cmd.Start(); err != nil {
		tb.Fatalf("etcdtest: start %s: %v", m.Name, err)
	}
	m.cmd = cmd
	m.exited = make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(m.exited)
}

type lockedWriter struct{ m *Member }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.m.logMu.Lock()
	defer w.m.logMu.Unlock()
	if w.m.log.Len() < 1<<20 {
		w.m.log.Write(p)
	}
	return len(p), nil
}

// Log returns what the member has printed since it was last started.
func (m *Member) Log() string {
	m.logMu.Lock()
	defer m.logMu.Unlock()
	return m.log.String()
}

// Kill stops the member at once (SIGKILL) and waits for it.
func (m *Member) Kill() {
	m.mu.Lock()
	cmd, exited := m.cmd, m.exited
	m.cmd = nil
	m.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-exited
}

// Healthy says whether the member answers /health with a leader.
func (m *Member) Healthy() error {
	// A member serving TLS is probed without verifying its certificate:
	// the probe checks health, the tests check certificates.
	c := http.Client{Timeout: time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // see above
	resp, err := c.Get(m.ClientURL + "/health")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: /health answers %s", m.Name, resp.Status)
	}
	return nil
}

// WaitHealthy waits until the member is healthy.
func (m *Member) WaitHealthy(tb TB, within time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for {
		err := m.Healthy()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("etcdtest: %s not healthy after %v: %v\n%s", m.Name, within, err, tail(m.Log()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// Cluster is a set of members started together.
type Cluster struct {
	Members []*Member
	token   string
}

// Start starts one member, waits until it serves, and returns it; it is
// killed when the test ends.
func Start(tb TB, extra ...string) *Member {
	tb.Helper()
	return StartCluster(tb, 1, extra...).Members[0]
}

// StartTLS starts one member that serves clients over TLS with the
// certificate and key in certFile and keyFile.
func StartTLS(tb TB, certFile, keyFile string) *Member {
	tb.Helper()
	return startCluster(tb, 1, "https", "--cert-file", certFile, "--key-file", keyFile).Members[0]
}

// StartCluster starts n members as one cluster and waits until every one
// serves with a leader.
func StartCluster(tb TB, n int, extra ...string) *Cluster {
	tb.Helper()
	return startCluster(tb, n, "http", extra...)
}

func startCluster(tb TB, n int, scheme string, extra ...string) *Cluster {
	tb.Helper()
	c := &Cluster{token: fmt.Sprintf("microreg-%d", time.Now().UnixNano())}
	var peers []string
	for i := range n {
		m := newMember(tb, fmt.Sprintf("m%d", i), scheme)
		c.Members = append(c.Members, m)
		peers = append(peers, m.Name+"="+m.PeerURL)
	}
	for _, m := range c.Members {
		m.setArgs(strings.Join(peers, ","), "new", c.token, extra...)
		m.Start(tb)
	}
	for _, m := range c.Members {
		m.WaitHealthy(tb, 30*time.Second)
	}
	return c
}

// Endpoints are the members' client addresses (host:port).
func (c *Cluster) Endpoints() []string {
	var out []string
	for _, m := range c.Members {
		out = append(out, m.Addr)
	}
	return out
}

// Client returns a client of the members (closed when the test ends).
func Client(tb TB, endpoints ...string) *clientv3.Client {
	tb.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		tb.Fatalf("etcdtest: client: %v", err)
	}
	tb.Cleanup(func() { _ = cli.Close() })
	return cli
}

// Leader returns the member that leads, as the members answer.
func (c *Cluster) Leader(tb TB) *Member {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range c.Members {
			if m.Healthy() != nil {
				continue
			}
			cli := Client(tb, m.Addr)
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			st, err := cli.Status(ctx, m.Addr)
			cancel()
			_ = cli.Close()
			if err == nil && st.Header.MemberId == st.Leader {
				return m
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("etcdtest: no leader")
	return nil
}

// ReplaceEmpty removes m from the cluster, wipes its data and adds it back
// as a new member that starts from nothing and catches up from the others.
func (c *Cluster) ReplaceEmpty(tb TB, m *Member) {
	tb.Helper()
	var others []string
	for _, o := range c.Members {
		if o != m {
			others = append(others, o.Addr)
		}
	}
	cli := Client(tb, others...)
	// Each step is tried again until it succeeds: etcd refuses to change
	// its membership until the leader has been in touch with the others
	// for its health interval (5 s), and a step can fall in an election.
	retry := func(what string, op func(ctx context.Context) error) {
		tb.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := op(ctx)
			cancel()
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				tb.Fatalf("etcdtest: %s %s: %v", what, m.Name, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	var id uint64
	retry("list the members to remove", func(ctx context.Context) error {
		list, err := cli.MemberList(ctx)
		if err != nil {
			return err
		}
		for _, mm := range list.Members {
			if mm.Name == m.Name {
				id = mm.ID
				return nil
			}
		}
		return fmt.Errorf("no member named %s", m.Name)
	})
	retry("remove", func(ctx context.Context) error {
		_, err := cli.MemberRemove(ctx, id)
		if err != nil && strings.Contains(err.Error(), "member not found") {
			return nil // removed by an attempt that timed out
		}
		return err
	})
	m.Kill()
	if err := os.RemoveAll(m.dataDir); err != nil {
		tb.Fatalf("etcdtest: %v", err)
	}
	var added *clientv3.MemberAddResponse
	retry("add", func(ctx context.Context) error {
		var err error
		added, err = cli.MemberAdd(ctx, []string{m.PeerURL})
		if err != nil && strings.Contains(err.Error(), "Peer URLs already exists") {
			added = nil
			list, lerr := cli.MemberList(ctx)
			if lerr != nil {
				return lerr
			}
			for _, mm := range list.Members {
				if len(mm.PeerURLs) > 0 && mm.PeerURLs[0] == m.PeerURL {
					added = &clientv3.MemberAddResponse{Member: mm, Members: list.Members}
				}
			}
			if added == nil {
				return err
			}
			return nil
		}
		return err
	})
	var peers []string
	for _, mm := range added.Members {
		name := mm.Name
		if mm.ID == added.Member.ID {
			name = m.Name
		}
		peers = append(peers, name+"="+mm.PeerURLs[0])
	}
	m.setArgs(strings.Join(peers, ","), "existing", c.token, m.extra...)
	m.Start(tb)
	m.WaitHealthy(tb, 30*time.Second)
}
