package consul

import (
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/engine"
)

type (
	configKey      struct{}
	tokenKey       struct{}
	dcKey          struct{}
	readKey        struct{}
	deregKey       struct{}
	checkTTLKey    struct{}
	insecureKey    struct{}
	checksKey      struct{}
	tagsKey        struct{}
	metaKey        struct{}
	pluginTagsKey  struct{}
	viewQueriesKey struct{}
)

// checkSpec is a check added by HTTPCheck, TCPCheck or GRPCCheck.
type checkSpec struct {
	kind     string // "http", "tcp", "grpc"
	url      string
	interval time.Duration
}

// Defaults of the options.
const (
	// DefaultTimeout bounds every call that is not a blocking query.
	DefaultTimeout = 10 * time.Second
	// DefaultCheckTTL is the TTL of the health check of a node registered
	// without RegisterTTL; the registry passes it every third of that.
	DefaultCheckTTL = 30 * time.Second
	// DefaultDeregisterCriticalAfter is how long Consul keeps an instance
	// whose check is critical (a killed process) before removing it.
	DefaultDeregisterCriticalAfter = time.Minute
	// DefaultViewQueries is how many services a registry follows with a
	// blocking query each before its change detection is shared: with the
	// pulse and the 4 idle connections short calls reuse, at most 16
	// connections to the agent (see ViewQueries).
	DefaultViewQueries = 11
)

// Config sets the whole consul/api configuration (address, scheme, token,
// TLS files, datacenter...). engine.Addrs, when given, still choose the
// agents.
func Config(c *api.Config) engine.Option {
	return engine.BackendOption(Name, "consul.Config", configKey{}, c)
}

// Token sets the ACL token.
func Token(token string) engine.Option {
	return engine.BackendOption(Name, "consul.Token", tokenKey{}, token)
}

// Datacenter sets the datacenter queried.
func Datacenter(dc string) engine.Option {
	return engine.BackendOption(Name, "consul.Datacenter", dcKey{}, dc)
}

// Read is how a registry's reads are answered (ReadMode).
type Read int

// The read modes.
const (
	// ReadLeader, the default: reads go to the leader, and only a read
	// that fails because the cluster has no leader (or with a server
	// error) is asked again of any server and reads go stale for 10 s, so
	// lookups and listings go on answering through an election without
	// every read risking a lagging server.
	ReadLeader Read = iota
	// ReadStale: every read may be answered by any server. (Stale
	// blocking queries by default were tried: on a loaded agent they left
	// views behind changes for seconds.)
	ReadStale
	// ReadConsistent: every read is consistent (the leader checks that
	// it still leads), and none is asked again of another server.
	ReadConsistent
)

// ReadMode sets how reads are answered: ReadLeader (the default),
// ReadStale or ReadConsistent.
func ReadMode(m Read) engine.Option {
	return engine.BackendOption(Name, "consul.ReadMode", readKey{}, m)
}

// AllowStale(true) is ReadMode(ReadStale); AllowStale(false) turns stale
// reads back off.
//
// Deprecated: use ReadMode, the one read-mode option. Kept so code written
// for earlier versions builds and behaves as before.
func AllowStale(b bool) engine.Option {
	return engine.Marked(Name, "consul.AllowStale", toggle(ReadStale, b))
}

// Consistent(true) is ReadMode(ReadConsistent); Consistent(false) turns
// consistent reads back off.
//
// Deprecated: use ReadMode, the one read-mode option. Kept so code written
// for earlier versions builds and behaves as before.
func Consistent(b bool) engine.Option {
	return engine.Marked(Name, "consul.Consistent", toggle(ReadConsistent, b))
}

// toggle sets mode (on), or turns it back to ReadLeader if it is the mode
// set (off), as the two old boolean options did.
func toggle(mode Read, on bool) engine.Option {
	return func(o *engine.Options) {
		cur, _ := engine.ContextValue[Read](*o, readKey{})
		switch {
		case on:
			engine.ContextOption(readKey{}, mode)(o)
		case cur == mode:
			engine.ContextOption(readKey{}, ReadLeader)(o)
		}
	}
}

// ViewQueries sets how many services (default DefaultViewQueries) a
// registry follows with a blocking query of their own on
// /v1/health/service/NAME: a change to any other service in the catalog
// costs such a registry, and its agent, nothing. Each query holds one
// connection to the agent, so a registry holds at most n + 5 (n queries,
// the pulse that watches one of its own nodes, and at most 4 idle
// connections that heartbeats and Register reuse); with many registries on
// one host, keep their sum under the agent's limits.http_max_conns_per_client
// (200 by default). A registry that views more than n services, or watches
// every service, shares its change detection instead: 4 long-lived
// connections whatever it views, but every change anywhere in the catalog
// costs it and its agent a reading of every service check
// (/v1/health/state/any). 0 always shares. Views already running keep
// their mode; the option applies to views started after it.
func ViewQueries(n int) engine.Option {
	return engine.BackendOption(Name, "consul.ViewQueries", viewQueriesKey{}, n)
}

// DeregisterCriticalAfter sets how long Consul keeps an instance whose
// check is critical before removing it (Consul's minimum is one minute).
func DeregisterCriticalAfter(d time.Duration) engine.Option {
	return engine.BackendOption(Name, "consul.DeregisterCriticalAfter", deregKey{}, d)
}

// CheckTTL sets the TTL of the health check of nodes registered without
// RegisterTTL (default DefaultCheckTTL).
func CheckTTL(d time.Duration) engine.Option {
	return engine.BackendOption(Name, "consul.CheckTTL", checkTTLKey{}, d)
}

// InsecureSkipVerify turns TLS certificate verification off. Nothing else
// does: engine.Secure(true) uses TLS and verifies.
func InsecureSkipVerify() engine.Option {
	return engine.BackendOption(Name, "consul.InsecureSkipVerify", insecureKey{}, true)
}

// HTTPCheck adds to every node an HTTP GET check of url every interval;
// "{address}" in url becomes the node's host:port.
func HTTPCheck(url string, interval time.Duration) engine.Option {
	return addCheck("consul.HTTPCheck", checkSpec{kind: "http", url: url, interval: interval})
}

// TCPCheck adds to every node a TCP connect check of its address.
func TCPCheck(interval time.Duration) engine.Option {
	return addCheck("consul.TCPCheck", checkSpec{kind: "tcp", interval: interval})
}

// GRPCCheck adds to every node a gRPC health check of its address.
func GRPCCheck(interval time.Duration) engine.Option {
	return addCheck("consul.GRPCCheck", checkSpec{kind: "grpc", interval: interval})
}

func addCheck(name string, c checkSpec) engine.Option {
	return engine.Marked(Name, name, func(o *engine.Options) {
		prev, _ := engine.ContextValue[[]checkSpec](*o, checksKey{})
		engine.ContextOption(checksKey{}, append(append([]checkSpec(nil), prev...), c))(o)
	})
}

// Tags adds Consul tags to every node this registry registers (after the
// go-micro plugin's and microreg's own), for Traefik, Fabio, Consul DNS
// (<tag>.<service>.service.consul) and the like.
func Tags(tags ...string) engine.Option {
	return engine.BackendOption(Name, "consul.Tags", tagsKey{}, tags)
}

// Meta adds Consul Meta pairs to every node this registry registers. A
// key of a node's or service's metadata that Meta also sets is kept in
// microreg's compressed chunks instead of plain Meta.
func Meta(meta map[string]string) engine.Option {
	return engine.BackendOption(Name, "consul.Meta", metaKey{}, meta)
}

// PluginTags turns on or off (default on) the tags go-micro's consul
// plugin writes and reads (v-, t-, e-), so that a fleet part on the plugin
// sees the version, node metadata and endpoints of microreg's nodes.
func PluginTags(on bool) engine.Option {
	return engine.BackendOption(Name, "consul.PluginTags", pluginTagsKey{}, on)
}
