package registry_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"go-micro.dev/v4/util/cmd"

	"github.com/microreg/microreg/memory"
	"github.com/microreg/microreg/registry"
)

func TestBackendTable(t *testing.T) {
	if !slices.Contains(registry.Backends(), memory.Name) {
		t.Fatalf("Backends() = %v, want memory registered by its blank import", registry.Backends())
	}
	if !slices.IsSorted(registry.Backends()) {
		t.Fatalf("Backends() not sorted: %v", registry.Backends())
	}
	if _, ok := cmd.DefaultRegistries[memory.Name]; !ok {
		t.Fatal("memory is not in go-micro's cmd.DefaultRegistries, so --registry=memory would fail")
	}
	_, err := registry.New("etcd-nope")
	if !errors.Is(err, registry.ErrUnknownBackend) || !strings.Contains(err.Error(), "memory") {
		t.Fatalf("New(unknown) = %v, want ErrUnknownBackend listing the known names", err)
	}
}

func TestRegisterPanicsOnMisuse(t *testing.T) {
	for name, call := range map[string]func(){
		"duplicate": func() { registry.Register(memory.Name, registry.FactoryOf(memory.New)) },
		"empty":     func() { registry.Register("", registry.FactoryOf(memory.New)) },
		"nil":       func() { registry.Register("nil-factory", nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("Register did not panic")
				}
			}()
			call()
		})
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(registry.EnvRegistry, "memory")
	t.Setenv(registry.EnvRegistryAddress, " 127.0.0.1:1, ,127.0.0.1:2")
	r, err := registry.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	defer registry.Close(r)
	if r.String() != "memory" {
		t.Fatalf("FromEnv built %q", r.String())
	}
	if got := r.Options().Addrs; !slices.Equal(got, []string{"127.0.0.1:1", "127.0.0.1:2"}) {
		t.Fatalf("addresses from %s = %q", registry.EnvRegistryAddress, got)
	}

	t.Setenv(registry.EnvRegistry, "")
	if _, err := registry.FromEnv(); !errors.Is(err, registry.ErrUnknownBackend) || !strings.Contains(err.Error(), `"mdns"`) {
		t.Fatalf("FromEnv with the default backend not linked in: %v", err)
	}
}

func TestFromArgs(t *testing.T) {
	t.Setenv(registry.EnvRegistry, "etcd-nope")
	t.Setenv(registry.EnvRegistryAddress, "10.0.0.1:1")
	for _, tc := range []struct {
		args  []string
		name  string
		addrs []string
	}{
		{[]string{"--registry=memory", "--registry_address=127.0.0.1:1,127.0.0.1:2"}, "memory", []string{"127.0.0.1:1", "127.0.0.1:2"}},
		{[]string{"-registry", "memory", "--name", "x", "-registry_address", "127.0.0.1:3"}, "memory", []string{"127.0.0.1:3"}},
		{[]string{"--registry=gossip", "--registry=memory"}, "memory", []string{"10.0.0.1:1"}},
		{[]string{"--", "--registry=gossip"}, "etcd-nope", []string{"10.0.0.1:1"}},
	} {
		name, addrs := registry.Selected(tc.args, "memory")
		if name != tc.name || !slices.Equal(addrs, tc.addrs) {
			t.Errorf("Selected(%q) = %q %q, want %q %q", tc.args, name, addrs, tc.name, tc.addrs)
		}
	}
	r, err := registry.FromArgs([]string{"--registry", "memory", "--registry_address=127.0.0.1:9"}, "mdns")
	if err != nil {
		t.Fatal(err)
	}
	defer registry.Close(r)
	if r.String() != "memory" || !slices.Equal(r.Options().Addrs, []string{"127.0.0.1:9"}) {
		t.Fatalf("FromArgs built %q with %q", r.String(), r.Options().Addrs)
	}
	t.Setenv(registry.EnvRegistry, "")
	if name, _ := registry.Selected(nil, "memory"); name != "memory" {
		t.Fatalf("no flag, no env: %q, want the default", name)
	}
}
