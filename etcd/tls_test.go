package etcd_test

import (
	"crypto/tls"
	"testing"
	"time"

	"github.com/microreg/microreg/etcd"
	"github.com/microreg/microreg/internal/etcdtest"
	"github.com/microreg/microreg/registry"
)

// Against an etcd serving TLS: a registry given the CA (registry.TLSConfig)
// works; one with Secure(true) and no CA verifies the certificate and so
// refuses this one; InsecureSkipVerify, and only it, turns verification
// off.
func TestTLSIsVerified(t *testing.T) {
	certs := etcdtest.NewCerts(t)
	m := etcdtest.StartTLS(t, certs.CertFile, certs.KeyFile)
	s := fleetService("tls", "tls-1", 9901)

	ok := open(t, registry.Addrs(m.Addr), registry.Secure(true), registry.TLSConfig(&tls.Config{RootCAs: certs.Pool, MinVersion: tls.VersionTLS12}))
	if err := ok.Register(s); err != nil {
		t.Fatalf("with the CA: %v", err)
	}
	hasNodes(t, ok, "a registry with the CA", "tls", "tls-1")

	unknown := open(t, registry.Addrs(m.Addr), registry.Secure(true), registry.Timeout(time.Second))
	if _, err := unknown.GetService("tls"); err == nil {
		t.Error("Secure(true) without the CA read etcd: the certificate was not verified")
	}

	skip := open(t, registry.Addrs(m.Addr), registry.Secure(true), etcd.InsecureSkipVerify())
	hasNodes(t, skip, "a registry that skips verification", "tls", "tls-1")
}
