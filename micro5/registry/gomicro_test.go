package registry_test

import (
	"os"
	"reflect"
	"testing"

	"go-micro.dev/v5"
	mregistry "go-micro.dev/v5/registry"

	"github.com/microreg/microreg/internal/netns"
	"github.com/microreg/microreg/micro5/consul"
	"github.com/microreg/microreg/micro5/mdns"
	"github.com/microreg/microreg/micro5/registry"
)

// mdns needs a multicast interface: only lo, in a private namespace.
func TestMain(m *testing.M) { netns.Run(m) }

// service builds an ordinary go-micro v5 service the way a program does,
// with args as its command line, and returns the registry go-micro chose.
func service(t *testing.T, args ...string) mregistry.Registry {
	t.Helper()
	saved := os.Args
	t.Cleanup(func() { os.Args = saved })
	os.Args = append([]string{"svc"}, args...)
	svc := micro.NewService(micro.Name("selection.test"))
	svc.Init()
	r := svc.Options().Registry
	t.Cleanup(func() { _ = registry.Close(r) })
	return r
}

// TestGoMicroSelectsMicroreg: on a go-micro v5 service, --registry=consul
// and MICRO_REGISTRY=mdns select microreg's backends, in place of the
// consul and mdns registries go-micro v5 ships; with neither, the service
// keeps go-micro's own default.
func TestGoMicroSelectsMicroreg(t *testing.T) {
	if r, ok := service(t, "--registry=consul", "--registry_address=127.0.0.1:1").(*consul.Registry); !ok {
		t.Fatalf("--registry=consul chose %s, want microreg's *consul.Registry", typeName(r))
	}
	t.Setenv("MICRO_REGISTRY", "mdns")
	if r, ok := service(t).(*mdns.Registry); !ok {
		t.Fatalf("MICRO_REGISTRY=mdns chose %s, want microreg's *mdns.Registry", typeName(r))
	}
	t.Setenv("MICRO_REGISTRY", "")
	if r := service(t); r != mregistry.DefaultRegistry {
		t.Fatalf("with neither, the service runs on %s, want go-micro's default", typeName(r))
	}
}

// typeName is r's type with its package path.
func typeName(r any) string {
	t := reflect.TypeOf(r)
	if t == nil {
		return "nil"
	}
	if t.Kind() == reflect.Pointer {
		return "*" + t.Elem().PkgPath() + "." + t.Elem().Name()
	}
	return t.PkgPath() + "." + t.Name()
}
