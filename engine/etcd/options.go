package etcd

import (
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/microreg/microreg/engine"
)

type (
	configKey   struct{}
	authKey     struct{}
	prefixKey   struct{}
	leaseTTLKey struct{}
	insecureKey struct{}
)

// Defaults of the options.
const (
	// DefaultTimeout bounds every call to etcd, and how long a lookup
	// waits for the registry's first reading of etcd.
	DefaultTimeout = 5 * time.Second
	// DefaultLeaseTTL is the TTL of the registry's lease while it holds
	// only nodes registered without RegisterTTL.
	DefaultLeaseTTL = 30 * time.Second
	// DefaultPrefix is where go-micro's etcd registries (the v4 plugin,
	// v5's core) keep their keys: one per node, PREFIX<service>/<node id>.
	DefaultPrefix = "/micro/registry/"
	// DefaultEndpoint is the etcd asked when no address is given.
	DefaultEndpoint = "127.0.0.1:2379"
)

// credentials are a user's name and password (Auth).
type credentials struct{ user, password string }

// Config sets the whole clientv3 configuration (dial options, keepalive,
// TLS, credentials...). engine.Addrs, when given, still choose the
// endpoints; Auth and TLS options given beside it win.
func Config(c clientv3.Config) engine.Option {
	return engine.BackendOption(Name, "etcd.Config", configKey{}, c)
}

// Auth sets the user and password the registry authenticates with (etcd
// role-based access control). Without it, ETCD_USERNAME and ETCD_PASSWORD
// are used when both are set, as go-micro's etcd registries do.
func Auth(user, password string) engine.Option {
	return engine.BackendOption(Name, "etcd.Auth", authKey{}, credentials{user, password})
}

// Prefix sets where keys are kept (default DefaultPrefix, which go-micro's
// etcd registries share). It must start and end with "/".
func Prefix(p string) engine.Option {
	return engine.BackendOption(Name, "etcd.Prefix", prefixKey{}, p)
}

// LeaseTTL sets the TTL of the lease while the registry holds only nodes
// registered without RegisterTTL (default DefaultLeaseTTL). A registry
// holds one lease: its TTL is the RegisterTTL of the last Register that
// gave one, and a killed process's nodes go when it runs out.
func LeaseTTL(d time.Duration) engine.Option {
	return engine.BackendOption(Name, "etcd.LeaseTTL", leaseTTLKey{}, d)
}

// InsecureSkipVerify turns TLS certificate verification off. Nothing else
// does: engine.Secure(true) uses TLS and verifies.
func InsecureSkipVerify() engine.Option {
	return engine.BackendOption(Name, "etcd.InsecureSkipVerify", insecureKey{}, true)
}
