package main_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/microreg/microreg/internal/netns"
	"github.com/microreg/microreg/internal/proctest"
)

// The demo runs in a private network namespace (only lo): gossip's
// default port is this test's own, and mdns multicasts nowhere else.
func TestMain(m *testing.M) { netns.Run(m) }

func build(t *testing.T) string {
	t.Helper()
	bins, err := proctest.Build(t.TempDir(), ".")
	if err != nil {
		t.Fatal(err)
	}
	return bins["demo"]
}

// TestDemo runs the demo as a user would, once per backend, and checks
// that it exits 0 having printed every step.
func TestDemo(t *testing.T) {
	bin := build(t)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"gossip", nil, []string{"the embedded default"}},
		{"mdns", []string{"--registry=mdns", "--interface=lo"}, []string{"mdns on interface lo"}},
		{"consul", []string{"--registry=consul"}, []string{"starting a dev agent", "dev agent ready at 127.0.0.1:"}},
		{"etcd", []string{"--registry=etcd"}, []string{"starting one etcd member", "etcd ready at 127.0.0.1:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = append(os.Environ(), "CONSUL_HTTP_ADDR=", "ETCD_ENDPOINTS=")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("demo %v: %v\n%s", tc.args, err, out)
			}
			want := append(tc.want, "registered greeter node", "discovered greeter node",
				`reply "Hello John"`, "server stopped", "gone: greeter node", "done:")
			for _, w := range want {
				if !strings.Contains(string(out), w) {
					t.Errorf("the output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestDemoFailsClearly(t *testing.T) {
	out, err := exec.Command(build(t), "--registry=memory").CombinedOutput()
	if err == nil {
		t.Fatalf("demo --registry=memory exited 0:\n%s", out)
	}
	if !strings.Contains(string(out), "demo: --registry=memory") {
		t.Fatalf("no clear message:\n%s", out)
	}
}
