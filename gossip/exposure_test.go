package gossip_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/memberlist"

	"github.com/microreg/microreg/gossip"
	"github.com/microreg/microreg/registry"
)

// A node with no key refuses to listen where other hosts can reach it,
// and says why and how to fix it. (These nodes join nobody, so nothing is
// sent off the host.)
func TestReachableBindWithNoKeyIsRefused(t *testing.T) {
	t.Setenv(registry.EnvKey, "")
	for name, opts := range map[string][]registry.Option{
		"0.0.0.0":            {gossip.BindAddress("0.0.0.0", 0)},
		"a LAN config":       {gossip.Config(memberlist.DefaultLANConfig()), gossip.BindAddress("", 0)},
		"memberlist default": {gossip.Config(memberlist.DefaultLocalConfig())},
	} {
		_, err := gossip.New(append(opts, quiet())...)
		if !errors.Is(err, gossip.ErrOpenCluster) || !errors.Is(err, registry.ErrNotStarted) {
			t.Fatalf("%s: %v, want ErrOpenCluster and ErrNotStarted", name, err)
		}
		for _, fix := range []string{"other hosts can reach", "gossip.SecretKey", registry.EnvKey, "microreg keygen", "gossip.InsecureOpenCluster()", "127.0.0.1"} {
			if !strings.Contains(err.Error(), fix) {
				t.Fatalf("%s: %q does not say %q", name, err, fix)
			}
		}
	}
}

// Loopback needs no key; a key, from the options or the environment,
// or InsecureOpenCluster lets a node listen on every interface; doctor
// says which, naming keys by id only.
func TestExposure(t *testing.T) {
	t.Setenv(registry.EnvKey, "")
	key, err := registry.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := registry.ParseKeys(key)
	if err != nil || len(keys) != 1 || len(keys[0]) != 32 {
		t.Fatalf("NewKey's key %d bytes (%v)", len(keys), err)
	}
	id := registry.KeyID(keys[0])

	loop := node(t, nil)
	expectCheck(t, checkOf(t, loop, "", "exposure"), registry.StatusOK, "loopback: only processes on this host can join", "no cluster name")

	keyed, err := gossip.New(gossip.BindAddress("0.0.0.0", 0), gossip.SecretKey(keys[0]), gossip.ClusterName("prod"), quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer keyed.Close()
	expectCheck(t, checkOf(t, keyed, "", "exposure"), registry.StatusOK, "0.0.0.0:", "which other hosts can reach", "encrypted, keys "+id+" (sends)", `cluster name "prod"`)

	t.Setenv(registry.EnvKey, key)
	fromEnv, err := gossip.New(gossip.BindAddress("0.0.0.0", 0), quiet())
	if err != nil {
		t.Fatalf("with %s set: %v", registry.EnvKey, err)
	}
	defer fromEnv.Close()
	expectCheck(t, checkOf(t, fromEnv, "", "exposure"), registry.StatusOK, "encrypted, keys "+id)
	// A node with the environment's key and one without cannot talk.
	if _, err := gossip.New(gossip.BindAddress("127.0.0.1", 0), registry.Addrs(addr(t, fromEnv)), gossip.SecretKey(make([]byte, 32)), quiet()); !errors.Is(err, gossip.ErrRejected) {
		t.Fatalf("another key joined a keyed node: %v", err)
	}

	t.Setenv(registry.EnvKey, "not base64!,"+key)
	if _, err := gossip.New(quiet()); !errors.Is(err, registry.ErrBadKey) || !strings.Contains(err.Error(), "key 1") {
		t.Fatalf("a bad %s: %v", registry.EnvKey, err)
	}

	t.Setenv(registry.EnvKey, "")
	open, err := gossip.New(gossip.BindAddress("0.0.0.0", 0), gossip.InsecureOpenCluster(), quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	expectCheck(t, checkOf(t, open, "", "exposure"), registry.StatusWarn, "with no key (gossip.InsecureOpenCluster)", "microreg keygen")
}
