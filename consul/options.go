package consul

import (
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/registry"
)

type (
	configKey      struct{}
	tokenKey       struct{}
	dcKey          struct{}
	staleKey       struct{}
	consistentKey  struct{}
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
// TLS files, datacenter...). registry.Addrs, when given, still choose the
// agents.
func Config(c *api.Config) registry.Option { return registry.ContextOption(configKey{}, c) }

// Token sets the ACL token.
func Token(token string) registry.Option { return registry.ContextOption(tokenKey{}, token) }

// Datacenter sets the datacenter queried.
func Datacenter(dc string) registry.Option { return registry.ContextOption(dcKey{}, dc) }

// AllowStale lets every read be answered by any server, not just the
// leader. Off by default: reads go to the leader, and only a read that
// fails because the cluster has no leader is asked again of any server,
// so lookups and listings go on answering through an election without
// every read risking a lagging server. (Stale blocking queries by
// default were tried: on a loaded agent they left views behind changes
// for seconds.)
func AllowStale(b bool) registry.Option { return registry.ContextOption(staleKey{}, b) }

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
func ViewQueries(n int) registry.Option { return registry.ContextOption(viewQueriesKey{}, n) }

// Consistent makes reads consistent (the leader checks it still leads);
// it turns stale reads off.
func Consistent(b bool) registry.Option { return registry.ContextOption(consistentKey{}, b) }

// DeregisterCriticalAfter sets how long Consul keeps an instance whose
// check is critical before removing it (Consul's minimum is one minute).
func DeregisterCriticalAfter(d time.Duration) registry.Option {
	return registry.ContextOption(deregKey{}, d)
}

// CheckTTL sets the TTL of the health check of nodes registered without
// RegisterTTL (default DefaultCheckTTL).
func CheckTTL(d time.Duration) registry.Option { return registry.ContextOption(checkTTLKey{}, d) }

// InsecureSkipVerify turns TLS certificate verification off. Nothing else
// does: registry.Secure(true) uses TLS and verifies.
func InsecureSkipVerify() registry.Option { return registry.ContextOption(insecureKey{}, true) }

// HTTPCheck adds to every node an HTTP GET check of url every interval;
// "{address}" in url becomes the node's host:port.
func HTTPCheck(url string, interval time.Duration) registry.Option {
	return addCheck(checkSpec{kind: "http", url: url, interval: interval})
}

// TCPCheck adds to every node a TCP connect check of its address.
func TCPCheck(interval time.Duration) registry.Option {
	return addCheck(checkSpec{kind: "tcp", interval: interval})
}

// GRPCCheck adds to every node a gRPC health check of its address.
func GRPCCheck(interval time.Duration) registry.Option {
	return addCheck(checkSpec{kind: "grpc", interval: interval})
}

func addCheck(c checkSpec) registry.Option {
	return func(o *registry.Options) {
		prev, _ := registry.ContextValue[[]checkSpec](*o, checksKey{})
		registry.ContextOption(checksKey{}, append(append([]checkSpec(nil), prev...), c))(o)
	}
}

// Tags adds Consul tags to every node this registry registers (after the
// go-micro plugin's and microreg's own), for Traefik, Fabio, Consul DNS
// (<tag>.<service>.service.consul) and the like.
func Tags(tags ...string) registry.Option { return registry.ContextOption(tagsKey{}, tags) }

// Meta adds Consul Meta pairs to every node this registry registers. A
// key of a node's or service's metadata that Meta also sets is kept in
// microreg's compressed chunks instead of plain Meta.
func Meta(meta map[string]string) registry.Option { return registry.ContextOption(metaKey{}, meta) }

// PluginTags turns on or off (default on) the tags go-micro's consul
// plugin writes and reads (v-, t-, e-), so that a fleet part on the plugin
// sees the version, node metadata and endpoints of microreg's nodes.
func PluginTags(on bool) registry.Option { return registry.ContextOption(pluginTagsKey{}, on) }
