package mdns

import (
	"time"

	"github.com/microreg/microreg/engine"
)

type (
	ifaceKey      struct{}
	ipv4Key       struct{}
	ipv6Key       struct{}
	domainKey     struct{}
	ttlKey        struct{}
	timeoutKey    struct{}
	goMicroKey    struct{}
	keysKey       struct{}
	maxPerHostKey struct{}
)

// Defaults of the options.
const (
	// DefaultDomain is the mDNS domain.
	DefaultDomain = "local"
	// DefaultTTL is the TTL of the records a node announces: a crashed
	// node disappears from others' caches this long after its last
	// announcement (nodes announce every half TTL).
	DefaultTTL = 120 * time.Second
	// DefaultQueryTimeout bounds a first lookup of a service not yet seen;
	// it returns as soon as answers settle.
	DefaultQueryTimeout = 500 * time.Millisecond
)

// Interface pins the registry to the named network interfaces; default:
// every interface that is up and multicast-capable.
func Interface(names ...string) engine.Option {
	return engine.BackendOption(Name, "mdns.Interface", ifaceKey{}, names)
}

// IPv4 turns IPv4 multicast on or off (default on).
func IPv4(on bool) engine.Option { return engine.BackendOption(Name, "mdns.IPv4", ipv4Key{}, on) }

// IPv6 turns IPv6 multicast on or off (default off).
func IPv6(on bool) engine.Option { return engine.BackendOption(Name, "mdns.IPv6", ipv6Key{}, on) }

// Domain sets the mDNS domain (default "local").
func Domain(d string) engine.Option {
	return engine.BackendOption(Name, "mdns.Domain", domainKey{}, d)
}

// TTL sets the TTL of announced records (whole seconds, at least 1).
func TTL(d time.Duration) engine.Option {
	return engine.BackendOption(Name, "mdns.TTL", ttlKey{}, d)
}

// QueryTimeout bounds a first lookup of an unknown service.
func QueryTimeout(d time.Duration) engine.Option {
	return engine.BackendOption(Name, "mdns.QueryTimeout", timeoutKey{}, d)
}

// Clock sets the clock cached records expire on (tests pass a fake).
func Clock(c engine.Clock) engine.Option {
	return engine.Marked(Name, "mdns.Clock", engine.ClockOption(c))
}

// GoMicro turns go-micro's own mDNS format on or off (default on): every
// node is also served and announced the way go-micro's default registry
// (go-micro.dev/v4/registry) reads them, and go-micro's nodes are found,
// listed and watched.
func GoMicro(on bool) engine.Option {
	return engine.BackendOption(Name, "mdns.GoMicro", goMicroKey{}, on)
}

// Keys signs this registry's records and reads only records signed with
// one of keys (16, 24 or 32 bytes each; `microreg keygen` makes one): the
// first signs, every one is accepted, so keys rotate with no downtime as
// gossip's do, one Init per registry at each step:
//
//	Keys(old, new)  // every registry: new is accepted everywhere
//	Keys(new, old)  // every registry: new signs
//	Keys(new)       // every registry: old is gone
//
// Without it, the keys are read from MICRO_REGISTRY_KEY (engine.EnvKey)
// if set. go-micro's format cannot carry a signature, so with keys it is
// neither served nor read, and GoMicro(true) with keys is an error. A
// registry that started without keys cannot start signing in Init.
func Keys(keys ...[]byte) engine.Option {
	return engine.BackendOption(Name, "mdns.Keys", keysKey{}, keys)
}

// MaxNodesPerHost sets how many nodes of one host (one source address)
// the registry caches (default engine.DefaultMaxNodesPerPeer, 25,000; 0 or
// less: the default). A host's nodes beyond it are refused, logged once
// and counted by doctor's limits check, until some of its records expire
// or say goodbye. It bounds what a buggy or hostile host can make every
// other registry on the link hold.
func MaxNodesPerHost(n int) engine.Option {
	return engine.BackendOption(Name, "mdns.MaxNodesPerHost", maxPerHostKey{}, n)
}
