package gossip

import (
	"github.com/hashicorp/memberlist"

	"github.com/microreg/microreg/registry"
)

// Preset names one of memberlist's configuration presets.
type Preset string

// The presets: timings for a loopback or single-host cluster, a LAN, or a
// WAN.
const (
	Local Preset = "local" // LocalConfig: memberlist.DefaultLocalConfig, 500 ms probes
	LAN   Preset = "lan"   // memberlist.DefaultLANConfig
	WAN   Preset = "wan"   // memberlist.DefaultWANConfig
)

// DefaultPort is where a node listens when given no port. If it is taken
// (another process on the host got there first) the node listens on a free
// port instead and, given no addresses to join, joins the node on
// DefaultPort, so processes on one host find each other with no
// configuration at all.
const DefaultPort = 7946

// DefaultBindAddr is the address a node listens on when given none:
// loopback, so that nothing leaves the host unless asked to.
const DefaultBindAddr = "127.0.0.1"

type (
	bindKey      struct{}
	advertiseKey struct{}
	presetKey    struct{}
	configKey    struct{}
	secretKey    struct{}
	nameKey      struct{}
	clockKey     struct{}
)

type hostPort struct {
	host string
	port int
}

// BindAddress sets the address and port the node listens on, UDP and TCP
// (default DefaultBindAddr and DefaultPort). Port 0 picks a free port.
func BindAddress(host string, port int) registry.Option {
	return registry.ContextOption(bindKey{}, hostPort{host, port})
}

// AdvertiseAddress sets the address and port other nodes reach this one
// on, when it differs from the bind address (NAT, containers).
func AdvertiseAddress(host string, port int) registry.Option {
	return registry.ContextOption(advertiseKey{}, hostPort{host, port})
}

// WithPreset selects memberlist's timings (default Local when bound to
// loopback, LAN otherwise).
func WithPreset(p Preset) registry.Option { return registry.ContextOption(presetKey{}, p) }

// Config hands over a whole memberlist configuration; the registry sets
// only its delegates, its logger (unless c.Logger or c.LogOutput is set)
// and, if given by other options, the bind address, name and key.
func Config(c *memberlist.Config) registry.Option { return registry.ContextOption(configKey{}, c) }

// SecretKey turns on gossip encryption with an AES key of 16, 24 or 32
// bytes. Nodes with another key can neither join nor read the gossip.
func SecretKey(key []byte) registry.Option { return registry.ContextOption(secretKey{}, key) }

// NodeName sets the node's name in the cluster (default: a random
// unique name). Names must be unique across the cluster.
func NodeName(name string) registry.Option { return registry.ContextOption(nameKey{}, name) }

// Clock sets the clock TTLs are measured on (tests pass a fake).
func Clock(c registry.Clock) registry.Option { return registry.ContextOption(clockKey{}, c) }
