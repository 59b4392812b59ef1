package etcd_test

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/etcd"
	"github.com/microreg/microreg/internal/etcdtest"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

// enableAuth gives etcd a user "svc" whose role may read and write the
// registry's prefix and a user "other" whose role may not, and turns auth
// on.
func enableAuth(t *testing.T, m *etcdtest.Member) {
	t.Helper()
	etcdtest.AddUser(t, m, "svc", "svc-secret", "/micro/registry/")
	etcdtest.AddUser(t, m, "other", "other-secret", "/other/")
	etcdtest.EnableAuth(t, m)
}

// With etcd's auth on: a user whose role holds the prefix registers and
// looks up (doctor says so); a wrong password and a role without the
// prefix get ErrPermissionDenied; the password appears in no error.
func TestAuth(t *testing.T) {
	m := etcdtest.Start(t)
	enableAuth(t, m)
	s := fleetService("vault", "vault-1", 9801)

	r := open(t, registry.Addrs(m.Addr), etcd.Auth("svc", "svc-secret"))
	if err := r.Register(s); err != nil {
		t.Fatal(err)
	}
	hasNodes(t, r, "the svc user", "vault", "vault-1")
	d := registrytest.Diagnose(r, "vault")
	registrytest.WantFinding(t, d, "auth", engine.StatusOK, `auth on; user "svc"`)
	registrytest.WantFinding(t, d, "lease", engine.StatusOK, "1 node(s)")
	registrytest.WantFinding(t, d, "keys", engine.StatusOK, "1 node(s)")

	for _, c := range []struct {
		name string
		opt  registry.Option
	}{
		{"a wrong password", etcd.Auth("svc", "not-the-secret")},
		{"a role without the prefix", etcd.Auth("other", "other-secret")},
	} {
		bad := open(t, registry.Addrs(m.Addr), c.opt, registry.Timeout(2*time.Second))
		err := bad.Register(fleetService("vault", "vault-2", 9802))
		if !errors.Is(err, etcd.ErrPermissionDenied) {
			t.Errorf("%s: Register: %v, want ErrPermissionDenied", c.name, err)
		}
		if _, err := bad.GetService("vault"); !errors.Is(err, etcd.ErrPermissionDenied) {
			t.Errorf("%s: GetService: %v, want ErrPermissionDenied", c.name, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows the password: %v", c.name, err)
		}
	}
}

// go-micro issue 2144: with credentials and no etcd reachable, building
// the registry hung. Here it returns at once, and every call fails within
// its timeout with ErrUnavailable; the password appears in no error.
func TestCredentialsAndNoEtcdDoNotHang(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	start := time.Now()
	r := open(t, registry.Addrs(addr), etcd.Auth("svc", "svc-secret"), registry.Timeout(time.Second))
	if d := time.Since(start); d > time.Second {
		t.Errorf("New took %v", d)
	}
	start = time.Now()
	err = r.Register(fleetService("vault", "vault-1", 9801))
	if !errors.Is(err, etcd.ErrUnavailable) || time.Since(start) > 3*time.Second {
		t.Errorf("Register: %v after %v; want ErrUnavailable within the 1 s timeout", err, time.Since(start))
	}
	if err != nil && strings.Contains(err.Error(), "secret") {
		t.Errorf("the error shows the password: %v", err)
	}
	if _, err := r.GetService("vault"); !errors.Is(err, etcd.ErrUnavailable) {
		t.Errorf("GetService: %v, want ErrUnavailable", err)
	}
}
