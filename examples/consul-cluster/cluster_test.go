package main_test

import (
	"net"
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
		"Success! Data written to: hello", "\n     world\n",
		`client: reply "Hello Ann"`,
		"failed  server", "restarts with -rejoin: alive again",
		"new leader server", `client: reply "Hello Bob"`,
		"client 1: gone", "client 2: gone", "done:", "tearing down",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
	assertTornDown(t, out)
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
