package mdns

import (
	"time"

	emdns "github.com/microreg/microreg/engine/mdns"
	"github.com/microreg/microreg/internal/face4"
	"github.com/microreg/microreg/registry"
)

// Interface pins the registry to the named network interfaces; default:
// every interface that is up and multicast-capable.
func Interface(names ...string) registry.Option { return face4.Option(emdns.Interface(names...)) }

// IPv4 turns IPv4 multicast on or off (default on).
func IPv4(on bool) registry.Option { return face4.Option(emdns.IPv4(on)) }

// IPv6 turns IPv6 multicast on or off (default off).
func IPv6(on bool) registry.Option { return face4.Option(emdns.IPv6(on)) }

// Domain sets the mDNS domain (default "local").
func Domain(d string) registry.Option { return face4.Option(emdns.Domain(d)) }

// TTL sets the TTL of announced records (whole seconds, at least 1).
func TTL(d time.Duration) registry.Option { return face4.Option(emdns.TTL(d)) }

// QueryTimeout bounds a first lookup of an unknown service.
func QueryTimeout(d time.Duration) registry.Option { return face4.Option(emdns.QueryTimeout(d)) }

// Clock sets the clock cached records expire on (tests pass a fake).
func Clock(c registry.Clock) registry.Option { return face4.Option(emdns.Clock(c)) }

// GoMicro turns go-micro's own mDNS format on or off (default on): every
// node is also served and announced the way go-micro's default registry
// (go-micro.dev/v4/registry) reads them, and go-micro's nodes are found,
// listed and watched.
func GoMicro(on bool) registry.Option { return face4.Option(emdns.GoMicro(on)) }

// Keys signs this registry's records and reads only records signed with
// one of keys (16, 24 or 32 bytes each; `microreg keygen` makes one, and
// registry.ParseKeys reads it): the first signs, every one is accepted, so
// keys rotate with no downtime as gossip's do, one Init per registry at
// each step:
//
//	Keys(old, new)  // every registry: new is accepted everywhere
//	Keys(new, old)  // every registry: new signs
//	Keys(new)       // every registry: old is gone
//
// Without it, the keys are read from MICRO_REGISTRY_KEY
// (registry.EnvKey) if set. go-micro's format cannot carry a signature, so
// with keys it is neither served nor read, and GoMicro(true) with keys is
// an error. A registry that started without keys cannot start signing in
// Init.
func Keys(keys ...[]byte) registry.Option { return face4.Option(emdns.Keys(keys...)) }

// MaxNodesPerHost sets how many nodes of one host (one source address)
// the registry caches (default registry.DefaultMaxNodesPerPeer, 25,000).
// A host's nodes beyond it are refused, logged once and shown by doctor's
// limits check, until some of its records expire or say goodbye.
func MaxNodesPerHost(n int) registry.Option { return face4.Option(emdns.MaxNodesPerHost(n)) }
