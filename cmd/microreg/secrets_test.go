package main_test

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"go-micro.dev/v4/logger"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/etcd"
	"github.com/microreg/microreg/gossip"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/internal/etcdtest"
	"github.com/microreg/microreg/registry"
)

// cliEnv is cli with extra environment, returning stdout and stderr
// together.
func cliEnv(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), "MICRO_REGISTRY=", "MICRO_REGISTRY_ADDRESS=", registry.EnvKey+"=", "CONSUL_HTTP_TOKEN=",
		"ETCD_USERNAME=", "ETCD_PASSWORD=", "ETCD_ENDPOINTS="), env...)
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// syncBuffer is a log's output, written by the backend's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// captureLogger is a go-micro logger that writes every line to a buffer
// (go-micro v4's default logger ignores WithOutput).
type captureLogger struct{ b *syncBuffer }

func (c captureLogger) Init(...logger.Option) error                 { return nil }
func (c captureLogger) Options() logger.Options                     { return logger.Options{Level: logger.TraceLevel} }
func (c captureLogger) Fields(map[string]interface{}) logger.Logger { return c }
func (c captureLogger) Log(_ logger.Level, v ...interface{})        { fmt.Fprintln(c.b, v...) }
func (c captureLogger) Logf(_ logger.Level, f string, v ...interface{}) {
	fmt.Fprintf(c.b, f+"\n", v...)
}
func (c captureLogger) String() string { return "capture" }

// secretForms are the ways a secret could leak into text.
func secretForms(secret []byte) []string {
	forms := []string{string(secret), base64.StdEncoding.EncodeToString(secret), base64.RawURLEncoding.EncodeToString(secret), hex.EncodeToString(secret)}
	if b, err := base64.StdEncoding.DecodeString(string(secret)); err == nil {
		forms = append(forms, string(b), hex.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b))
	}
	return forms
}

func noSecret(t *testing.T, what, out string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for _, form := range secretForms([]byte(s)) {
			if form != "" && strings.Contains(out, form) {
				t.Fatalf("%s prints a secret (%d bytes):\n%s", what, len(s), out)
			}
		}
	}
}

// Every command, with the backend's log on (-v), as text and --json, on
// the right secret and a wrong one (the errors and doctor's failures),
// prints neither.
func runsWithSecret(t *testing.T, flags, right, wrong []string, secrets ...string) {
	t.Helper()
	for i, env := range [][]string{right, wrong} {
		for _, args := range [][]string{
			{"services"}, {"--json", "services"}, {"get", "cli.secret"}, {"get", "cli.nope"},
			{"doctor", "cli.secret"}, {"--json", "doctor", "cli.secret"}, {"doctor", "cli.nope"},
		} {
			all := append(append([]string{"-v"}, flags...), args...)
			out := cliEnv(t, env, all...)
			noSecret(t, strings.Join(all, " "), out, secrets...)
			if args[0] == "get" && args[1] == "cli.secret" {
				// The right secret reads the service, the wrong one fails.
				if found := strings.Contains(out, "service cli.secret"); found != (i == 0) {
					t.Fatalf("%s with the %s secret:\n%s", strings.Join(all, " "), []string{"right", "wrong"}[i], out)
				}
			}
		}
	}
}

// TestSecretsStaySecret: the Consul token, the etcd password and the gossip key are in no
// output of the CLI, backend logs, errors and doctor included. (The mDNS
// keys: TestMDNSKeysStaySecret in mdns, inside its network namespace.)
func TestSecretsStaySecret(t *testing.T) {
	t.Run("consul", func(t *testing.T) {
		const token, wrong = "5ec4e7-70ke7-0f-7he-management-5ec4e7", "w40ng-70ke7-7ha7-ha5-n0-p011cy"
		agent := consultest.StartDev(t, `acl { enabled = true, default_policy = "deny", tokens { initial_management = "`+token+`" } }`)
		root := consul.NewRegistry(registry.Addrs(agent.HTTPAddr), consul.Token(token))
		defer registry.Close(root)
		if err := root.Register(svc("cli.secret", "s1")); err != nil {
			t.Fatal(err)
		}
		runsWithSecret(t, []string{"--registry=consul", "--registry_address=" + agent.HTTPAddr},
			[]string{"CONSUL_HTTP_TOKEN=" + token}, []string{"CONSUL_HTTP_TOKEN=" + wrong}, token, wrong)
	})
	t.Run("etcd", func(t *testing.T) {
		const password, wrong = "7he-e7cd-pa55w0rd-0f-5vc", "n07-7he-pa55w0rd-a7-a11"
		m := etcdtest.Start(t)
		etcdtest.AddUser(t, m, "svc", password, "/micro/registry/")
		etcdtest.EnableAuth(t, m)
		root := etcd.NewRegistry(registry.Addrs(m.Addr), etcd.Auth("svc", password))
		defer registry.Close(root)
		if err := root.Register(svc("cli.secret", "s1")); err != nil {
			t.Fatal(err)
		}
		runsWithSecret(t, []string{"--registry=etcd", "--registry_address=" + m.Addr, "--timeout=2s"},
			[]string{"ETCD_USERNAME=svc", "ETCD_PASSWORD=" + password}, []string{"ETCD_USERNAME=svc", "ETCD_PASSWORD=" + wrong}, password, wrong)
	})
	t.Run("gossip", func(t *testing.T) {
		key, _ := registry.NewKey()
		wrong, _ := registry.NewKey()
		keys, _ := registry.ParseKeys(key)
		var log syncBuffer
		seed, err := gossip.New(gossip.BindAddress("127.0.0.1", 0), gossip.SecretKey(keys[0]),
			registry.Logger(captureLogger{&log}))
		if err != nil {
			t.Fatal(err)
		}
		defer registry.Close(seed)
		if err := seed.Register(svc("cli.secret", "s1")); err != nil {
			t.Fatal(err)
		}
		addr, _ := seed.LocalAddr()
		runsWithSecret(t, []string{"--registry=gossip", "--registry_address=" + addr},
			[]string{registry.EnvKey + "=" + key}, []string{registry.EnvKey + "=" + wrong}, key, wrong)
		// A key that is not one is named by its place only.
		out := cliEnv(t, []string{registry.EnvKey + "=" + key + ",bm90LWEta2V5"}, "--registry=gossip", "services")
		if !strings.Contains(out, "key 2") {
			t.Fatalf("a bad second key: %s", out)
		}
		noSecret(t, "a bad key's error", out, key, "bm90LWEta2V5")
		if !strings.Contains(log.String(), "decrypt") {
			t.Fatalf("the member's log shows no refused member:\n%s", log.String())
		}
		noSecret(t, "the member's log", log.String(), key, wrong)
	})
}
