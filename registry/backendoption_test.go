package registry_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/gossip"
	"github.com/microreg/microreg/memory"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

// wantOptionError checks that err wraps ErrOption and names the option.
func wantOptionError(t *testing.T, what string, err error, option string) {
	t.Helper()
	if !errors.Is(err, registry.ErrOption) || !strings.Contains(err.Error(), option) {
		t.Fatalf("%s: %v; want an error wrapping registry.ErrOption that names %s", what, err, option)
	}
}

// A backend given another backend's option says so instead of ignoring
// it, at New and through the table.
func TestAnotherBackendsOptionIsAnError(t *testing.T) {
	key := make([]byte, 32)
	_, err := consul.New(gossip.SecretKey(key))
	wantOptionError(t, "consul.New(gossip.SecretKey)", err, "gossip.SecretKey")
	_, err = memory.New(consul.Token("s3cret"))
	wantOptionError(t, "memory.New(consul.Token)", err, "consul.Token")
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("the error shows the token's value: %v", err)
	}
	_, err = gossip.New(gossip.BindAddress("127.0.0.1", 0), memory.WatchQueue(8))
	wantOptionError(t, "gossip.New(memory.WatchQueue)", err, "memory.WatchQueue")
	_, err = registry.New(memory.Name, gossip.ClusterName("prod"))
	wantOptionError(t, "registry.New(memory, gossip.ClusterName)", err, "gossip.ClusterName")
}

// Init given an option the running backend cannot apply returns an error
// naming it, and applies nothing of that call.
func TestInitWithAnOptionThatCannotApply(t *testing.T) {
	m, err := memory.New()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	wantOptionError(t, "memory Init(memory.Clock)", m.Init(memory.Clock(registrytest.NewFakeClock()), registry.Addrs("127.0.0.1:1")), "memory.Clock")
	if len(m.Options().Addrs) != 0 {
		t.Fatalf("a failed Init applied its other options: %v", m.Options().Addrs)
	}
	if err := m.Init(memory.Services(nil)); err != nil {
		t.Fatalf("memory Init(memory.Services): %v", err)
	}

	g, err := gossip.New(gossip.BindAddress("127.0.0.1", 0))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	wantOptionError(t, "gossip Init(gossip.BindAddress)", g.Init(gossip.BindAddress("127.0.0.1", 1)), "gossip.BindAddress")
	wantOptionError(t, "gossip Init(consul.Token)", g.Init(consul.Token("x")), "consul.Token")

	c, err := consul.New(registry.Addrs("127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	wantOptionError(t, "consul Init(gossip.SecretKey)", c.Init(gossip.SecretKey(make([]byte, 32))), "gossip.SecretKey")
	if err := c.Init(consul.ReadMode(consul.ReadStale), consul.ViewQueries(3)); err != nil {
		t.Fatalf("consul Init with its own options: %v", err)
	}
}
