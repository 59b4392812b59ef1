package etcd

import (
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	eetcd "github.com/microreg/microreg/engine/etcd"
	"github.com/microreg/microreg/micro5/internal/face5"
	"github.com/microreg/microreg/micro5/registry"
)

// Config sets the whole clientv3 configuration (dial options, keepalive,
// TLS, credentials...). registry.Addrs, when given, still choose the
// endpoints; Auth and TLS options given beside it win.
func Config(c clientv3.Config) registry.Option { return face5.Option(eetcd.Config(c)) }

// Auth sets the user and password the registry authenticates with (etcd
// role-based access control). Without it, ETCD_USERNAME and ETCD_PASSWORD
// are used when both are set, as go-micro's etcd registries do.
func Auth(user, password string) registry.Option { return face5.Option(eetcd.Auth(user, password)) }

// Prefix sets where keys are kept (default DefaultPrefix, which go-micro's
// etcd registries share). It must start and end with "/".
func Prefix(p string) registry.Option { return face5.Option(eetcd.Prefix(p)) }

// LeaseTTL sets the TTL of the lease while the registry holds only nodes
// registered without RegisterTTL (default DefaultLeaseTTL). A registry
// holds one lease: its TTL is the RegisterTTL of the last Register that
// gave one, and a killed process's nodes go when it runs out.
func LeaseTTL(d time.Duration) registry.Option { return face5.Option(eetcd.LeaseTTL(d)) }

// InsecureSkipVerify turns TLS certificate verification off. Nothing else
// does: registry.Secure(true) uses TLS and verifies.
func InsecureSkipVerify() registry.Option { return face5.Option(eetcd.InsecureSkipVerify()) }
