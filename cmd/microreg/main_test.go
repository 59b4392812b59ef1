package main_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/etcd"
	"github.com/microreg/microreg/gossip"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/internal/etcdtest"
	"github.com/microreg/microreg/internal/proctest"
	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/registry"
)

var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "microreg-cli")
	if err != nil {
		panic(err)
	}
	bins, err := proctest.Build(dir, ".")
	if err != nil {
		panic(err)
	}
	bin = bins["microreg"]
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cli runs the CLI to completion and returns its stdout, stderr and exit
// status.
func cli(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "MICRO_REGISTRY=", "MICRO_REGISTRY_ADDRESS=")
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func svc(name, id string) *registry.Service {
	return &registry.Service{Name: name, Version: "1.0.0", Metadata: map[string]string{"team": "core"},
		Endpoints: []*registry.Endpoint{{Name: "Say.Hello"}},
		Nodes:     []*registry.Node{{Id: id, Address: "127.0.0.1:9000", Metadata: map[string]string{"zone": "a"}}}}
}

func writeService(t *testing.T, s *registry.Service) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "svc.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func present(r registry.Registry, name string) bool {
	s, err := r.GetService(name)
	return err == nil && len(s) > 0
}

// exercise runs every command against a backend through flags, with a
// registry in the test process (obs) on the same backend to check what the
// CLI did and to make changes it must see.
func exercise(t *testing.T, flags []string, obs registry.Registry) {
	if err := obs.Register(svc("cli.existing", "e1")); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 15*time.Second, "the CLI lists the existing service", func() bool {
		out, _, code := cli(t, append(flags, "services")...)
		return code == 0 && strings.Contains(out, "cli.existing")
	})
	out, errOut, code := cli(t, append(flags, "--json", "services")...)
	var list []registry.Service
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil {
		t.Fatalf("services --json: %d %q %q", code, out, errOut)
	}
	if len(list) == 0 || list[0].Name != "cli.existing" {
		t.Fatalf("services --json: %+v", list)
	}
	out, errOut, code = cli(t, append(flags, "get", "cli.existing")...)
	for _, want := range []string{"service cli.existing, version 1.0.0", "e1", "127.0.0.1:9000", "zone=a", "team=core", "endpoint Say.Hello"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("get: %d, want %q in:\n%s%s", code, want, out, errOut)
		}
	}
	if _, errOut, code = cli(t, append(flags, "get", "cli.nope")...); code != 1 || !strings.Contains(errOut, `service "cli.nope" not found`) {
		t.Fatalf("get of an unknown service: %d %q", code, errOut)
	}

	watch := proctest.Start(t, bin, nil, append(flags, "watch", "cli.watched")...)
	watch.WaitLine(t, "watching", 15*time.Second)
	if err := obs.Register(svc("cli.watched", "w1")); err != nil {
		t.Fatal(err)
	}
	watch.WaitLine(t, "create cli.watched 1.0.0 w1@127.0.0.1:9000", 15*time.Second)
	if err := watch.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := watch.Wait(10 * time.Second); err != nil {
		t.Fatalf("watch after SIGTERM: %v", err)
	}

	file := writeService(t, svc("cli.registered", "r1"))
	reg := proctest.Start(t, bin, nil, append(flags, "register", file)...)
	reg.WaitLine(t, "registered cli.registered 1.0.0 (1 nodes)", 15*time.Second)
	wait.Until(t, 15*time.Second, "the service the CLI registered is seen", func() bool { return present(obs, "cli.registered") })
	if err := reg.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	reg.WaitLine(t, "deregistered cli.registered", 15*time.Second)
	if err := reg.Wait(10 * time.Second); err != nil {
		t.Fatalf("register after SIGINT: %v", err)
	}
	wait.Until(t, 15*time.Second, "the service is gone once the CLI deregistered it", func() bool { return !present(obs, "cli.registered") })

	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"name": "x", "nodes": [{"id": "", "address": "127.0.0.1:1"}]}`), 0o644)
	if _, errOut, code = cli(t, append(flags, "register", bad)...); code != 1 || !strings.Contains(errOut, "invalid service") {
		t.Fatalf("register of an invalid file: %d %q", code, errOut)
	}
}

func TestGossip(t *testing.T) {
	seed, err := gossip.New(gossip.BindAddress("127.0.0.1", 0))
	if err != nil {
		t.Fatal(err)
	}
	defer registry.Close(seed)
	addr, _ := seed.LocalAddr()
	exercise(t, []string{"--registry", "gossip", "--registry_address", addr}, seed)
}

func TestConsul(t *testing.T) {
	agent := consultest.StartDev(t)
	obs := consul.NewRegistry(registry.Addrs(agent.HTTPAddr))
	defer registry.Close(obs)
	flags := []string{"--registry=consul", "--registry_address=" + agent.HTTPAddr}
	exercise(t, flags, obs)
	deregistersOrphan(t, flags, obs)
}

// deregistersOrphan: deregister removes what another process registered
// and left behind (killed before it could deregister).
func deregistersOrphan(t *testing.T, flags []string, obs registry.Registry) {
	t.Helper()
	file := writeService(t, svc("cli.orphan", "o1"))
	reg := proctest.Start(t, bin, nil, append(flags, "register", file)...)
	reg.WaitLine(t, "registered cli.orphan", 15*time.Second)
	if err := reg.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 15*time.Second, "the orphan is seen", func() bool { return present(obs, "cli.orphan") })
	if out, errOut, code := cli(t, append(flags, "deregister", file)...); code != 0 || !strings.Contains(out, "deregistered cli.orphan") {
		t.Fatalf("deregister: %d %q %q", code, out, errOut)
	}
	wait.Until(t, 15*time.Second, "the orphan is gone after deregister", func() bool { return !present(obs, "cli.orphan") })
}

func TestEtcd(t *testing.T) {
	m := etcdtest.Start(t)
	obs := etcd.NewRegistry(registry.Addrs(m.Addr))
	defer registry.Close(obs)
	flags := []string{"--registry=etcd", "--registry_address=" + m.Addr}
	exercise(t, flags, obs)
	deregistersOrphan(t, flags, obs) // before its lease runs out

	out, errOut, code := cli(t, append(flags, "doctor", "cli.orphan")...)
	for _, want := range []string{"endpoint", "cluster", "1 of 1 members answer", "leader", "auth off, etcd on loopback only", "lease", "view", "keys"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor on etcd (exit %d) lacks %q:\n%s%s", code, want, out, errOut)
		}
	}
}

func TestErrorsAreOneLineAndNonZero(t *testing.T) {
	closed := "127.0.0.1:1" // nothing listens on port 1
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--registry=nats", "services"}, "unknown registry backend"},
		{[]string{"--registry=consul", "--registry_address=" + closed, "--timeout=3s", "services"}, "consul: unavailable"},
		{[]string{"--registry=gossip", "--registry_address=" + closed, "services"}, "gossip: cannot reach any member of " + closed},
	} {
		_, errOut, code := cli(t, tc.args...)
		if code != 1 || !strings.Contains(errOut, tc.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want 1 and one line with %q", tc.args, code, errOut, tc.want)
		}
	}
	if _, _, code := cli(t, "frobnicate"); code != 2 {
		t.Errorf("an unknown command: exit %d, want 2", code)
	}
}

// keygen prints a key that the environment variable takes: a gossip node
// bound where other hosts reach it starts with it.
func TestKeygen(t *testing.T) {
	out, _, code := cli(t, "keygen")
	key := strings.TrimSpace(out)
	keys, err := registry.ParseKeys(key)
	if code != 0 || err != nil || len(keys) != 1 || len(keys[0]) != 32 {
		t.Fatalf("keygen printed %q (exit %d): %v", out, code, err)
	}
	if again, _, _ := cli(t, "keygen"); strings.TrimSpace(again) == key {
		t.Fatal("keygen printed the same key twice")
	}
	t.Setenv(registry.EnvKey, key)
	r, err := gossip.New(gossip.BindAddress("0.0.0.0", 0))
	if err != nil {
		t.Fatalf("a node on 0.0.0.0 with %s from keygen: %v", registry.EnvKey, err)
	}
	defer r.Close()
}
