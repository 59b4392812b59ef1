package consul

import (
	"time"

	"github.com/hashicorp/consul/api"
	econsul "github.com/microreg/microreg/engine/consul"
	"github.com/microreg/microreg/micro5/internal/face5"
	"github.com/microreg/microreg/micro5/registry"
)

// Config sets the whole consul/api configuration (address, scheme, token,
// TLS files, datacenter...). registry.Addrs, when given, still choose the
// agents.
func Config(c *api.Config) registry.Option { return face5.Option(econsul.Config(c)) }

// Token sets the ACL token.
func Token(token string) registry.Option { return face5.Option(econsul.Token(token)) }

// Datacenter sets the datacenter queried.
func Datacenter(dc string) registry.Option { return face5.Option(econsul.Datacenter(dc)) }

// ReadMode sets how reads are answered: ReadLeader (the default),
// ReadStale or ReadConsistent.
func ReadMode(m Read) registry.Option { return face5.Option(econsul.ReadMode(m)) }

// AllowStale(true) is ReadMode(ReadStale); AllowStale(false) turns stale
// reads back off.
//
// Deprecated: use ReadMode, the one read-mode option. Kept so code written
// for earlier versions builds and behaves as before.
func AllowStale(b bool) registry.Option { return face5.Option(econsul.AllowStale(b)) }

// Consistent(true) is ReadMode(ReadConsistent); Consistent(false) turns
// consistent reads back off.
//
// Deprecated: use ReadMode, the one read-mode option. Kept so code written
// for earlier versions builds and behaves as before.
func Consistent(b bool) registry.Option { return face5.Option(econsul.Consistent(b)) }

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
func ViewQueries(n int) registry.Option { return face5.Option(econsul.ViewQueries(n)) }

// DeregisterCriticalAfter sets how long Consul keeps an instance whose
// check is critical before removing it (Consul's minimum is one minute).
func DeregisterCriticalAfter(d time.Duration) registry.Option {
	return face5.Option(econsul.DeregisterCriticalAfter(d))
}

// CheckTTL sets the TTL of the health check of nodes registered without
// RegisterTTL (default DefaultCheckTTL).
func CheckTTL(d time.Duration) registry.Option { return face5.Option(econsul.CheckTTL(d)) }

// InsecureSkipVerify turns TLS certificate verification off. Nothing else
// does: registry.Secure(true) uses TLS and verifies.
func InsecureSkipVerify() registry.Option { return face5.Option(econsul.InsecureSkipVerify()) }

// HTTPCheck adds to every node an HTTP GET check of url every interval;
// "{address}" in url becomes the node's host:port.
func HTTPCheck(url string, interval time.Duration) registry.Option {
	return face5.Option(econsul.HTTPCheck(url, interval))
}

// TCPCheck adds to every node a TCP connect check of its address.
func TCPCheck(interval time.Duration) registry.Option {
	return face5.Option(econsul.TCPCheck(interval))
}

// GRPCCheck adds to every node a gRPC health check of its address.
func GRPCCheck(interval time.Duration) registry.Option {
	return face5.Option(econsul.GRPCCheck(interval))
}

// Tags adds Consul tags to every node this registry registers (after the
// go-micro plugin's and microreg's own), for Traefik, Fabio, Consul DNS
// (<tag>.<service>.service.consul) and the like.
func Tags(tags ...string) registry.Option { return face5.Option(econsul.Tags(tags...)) }

// Meta adds Consul Meta pairs to every node this registry registers. A
// key of a node's or service's metadata that Meta also sets is kept in
// microreg's compressed chunks instead of plain Meta.
func Meta(meta map[string]string) registry.Option { return face5.Option(econsul.Meta(meta)) }

// PluginTags turns on or off (default on) the tags go-micro's consul
// plugin writes and reads (v-, t-, e-), so that a fleet part on the plugin
// sees the version, node metadata and endpoints of microreg's nodes.
func PluginTags(on bool) registry.Option { return face5.Option(econsul.PluginTags(on)) }
