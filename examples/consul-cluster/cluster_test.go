package main_test

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/microreg/microreg/internal/proctest"
)

func build(t *testing.T) string {
	t.Helper()
	bins, err := proctest.Build(t.TempDir(), ".")
	if err != nil {
		t.Fatal(err)
	}
	return bins["consul-cluster"]
}

var listening = regexp.MustCompile(`(?:HTTP|at) (127\.0\.0\.\d+:\d+)`)

// assertTornDown checks that nothing the walkthrough started still
// listens: every agent's HTTP address and the greeter's refuse.
func assertTornDown(t *testing.T, out string) {
	t.Helper()
	addrs := listening.FindAllStringSubmatch(out, -1)
	if len(addrs) < 4 {
		t.Fatalf("found %d addresses in the output:\n%s", len(addrs), out)
	}
	for _, m := range addrs {
		if c, err := net.DialTimeout("tcp", m[1], time.Second); err == nil {
			c.Close()
			t.Errorf("%s still listens after the walkthrough ended", m[1])
		}
	}
}

// TestWalkthrough runs the whole walkthrough and checks every step.
func TestWalkthrough(t *testing.T) {
	cmd := exec.Command(build(t))
	cmd.Env = append(os.Environ(), "CONSUL_HTTP_ADDR=")
	outb, err := cmd.CombinedOutput()
	out := string(outb)
	if err != nil {
		t.Fatalf("walkthrough: %v\n%s", err, out)
	}
	for _, want := range []string{
		"server1  127.0.0.2", "client   127.0.0.5", // members
		"leader    true", "/v1/status/leader: server",
		"raft state = Follower, leader_addr = 127.0.0.", // consul info
		"       Meta ", " protocol=", "microreg heartbeat: passing", // the greeter in /v1/health/service
		"Success! Data written to: hello", "\n     world\n",
		`client: reply "Hello Ann"`,
		"restarts with -rejoin: alive again",
		"new leader server", `client: reply "Hello Bob"`,
		"client 1: gone", "client 2: gone", "done:", "tearing down",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	// The killed server shows failed, or left if autopilot removed it
	// first (a loaded machine).
	if !strings.Contains(out, "failed  server") && !strings.Contains(out, "already left: autopilot removed") {
		t.Errorf("consul members never showed the killed server failed (or removed)")
	}
	if n := strings.Count(out, "raft state = Leader"); n != 1 {
		t.Errorf("consul info shows %d leaders, want 1", n)
	}
	if !catalogTags.MatchString(out) {
		t.Errorf("consul catalog services -tags does not list the greeter with microreg's tags")
	}
	if t.Failed() {
		t.Log(out)
	}
	assertTornDown(t, out)
}

// catalogTags is the greeter's line in consul catalog services -tags.
var catalogTags = regexp.MustCompile(`(?m)^\s+greeter\s+\S*microreg,microreg-version=`)

// TestKeepWithTwoServers runs the tutorial's two servers with --keep: the
// leader-kill step reports the lost quorum, the walk runs to its end, the
// cluster and a greeter stay up until Ctrl-C, and then everything printed
// refuses connections.
func TestKeepWithTwoServers(t *testing.T) {
	p := proctest.Start(t, build(t), []string{"CONSUL_HTTP_ADDR="}, "--keep", "--servers=2")
	p.WaitLine(t, "press Ctrl-C", 4*time.Minute)
	out := p.Output()
	for _, want := range []string{
		"2 Consul servers (-server -bootstrap-expect=2)",
		"1 of 2 servers left, short of a quorum of 2",
		"quorum lost: no leader",
		`client: reply "Hello Bob"`, "done:",
		"/ui/dc1/nodes", "/ui/dc1/services/greeter/instances",
		"consul catalog services -tags", "--registry consul --registry_address 127.0.0.4:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	// Up: the client agent answers, with the greeter registered and
	// passing, and the greeter server listens.
	ui := regexp.MustCompile(`UI at http://(127\.0\.0\.4:\d+)/ui`).FindStringSubmatch(out)
	if ui == nil {
		t.Fatalf("no client agent address in the output:\n%s", out)
	}
	resp, err := http.Get("http://" + ui[1] + "/v1/health/service/greeter?passing=1")
	if err != nil {
		t.Fatalf("the client agent, kept up: %v", err)
	}
	var entries []json.RawMessage
	err = json.NewDecoder(resp.Body).Decode(&entries)
	resp.Body.Close()
	if err != nil || len(entries) != 1 {
		t.Errorf("the greeter kept up: %d passing instances (%v), want 1", len(entries), err)
	}
	if t.Failed() {
		t.Log(out)
	}
	if err := p.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	p.WaitLine(t, "tearing down", 30*time.Second)
	if err := p.Wait(30 * time.Second); err != nil {
		t.Fatalf("--keep ended by Ctrl-C: %v, want exit 0\n%s", err, p.Output())
	}
	assertTornDown(t, p.Output())
}

// TestInterruptTearsDown stops the walkthrough with SIGINT (Ctrl-C) midway
// and checks that it leaves nothing running.
func TestInterruptTearsDown(t *testing.T) {
	p := proctest.Start(t, build(t), []string{"CONSUL_HTTP_ADDR="})
	p.WaitLine(t, "2. consul members", 3*time.Minute)
	if err := p.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	p.WaitLine(t, "tearing down", 30*time.Second)
	if err := p.Wait(30 * time.Second); err == nil {
		t.Fatalf("interrupted walkthrough exited 0:\n%s", p.Output())
	}
	assertTornDown(t, p.Output())
}
