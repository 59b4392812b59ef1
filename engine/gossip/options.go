package gossip

import (
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/microreg/microreg/engine"
)

type (
	bindKey         struct{}
	advertiseKey    struct{}
	presetKey       struct{}
	configKey       struct{}
	secretKey       struct{}
	nameKey         struct{}
	keysKey         struct{}
	clusterKey      struct{}
	reconnectKey    struct{}
	openKey         struct{}
	maxPerMemberKey struct{}
)

type hostPort struct {
	host string
	port int
}

// BindAddress sets the address and port the node listens on, UDP and TCP
// (default DefaultBindAddr and DefaultPort). Port 0 picks a free port.
func BindAddress(host string, port int) engine.Option {
	return engine.BackendOption(Name, "gossip.BindAddress", bindKey{}, hostPort{host, port})
}

// AdvertiseAddress sets the address and port other nodes reach this one
// on, when it differs from the bind address (NAT, containers).
func AdvertiseAddress(host string, port int) engine.Option {
	return engine.BackendOption(Name, "gossip.AdvertiseAddress", advertiseKey{}, hostPort{host, port})
}

// WithPreset selects memberlist's timings (default Local when bound to
// loopback, LAN otherwise).
func WithPreset(p Preset) engine.Option {
	return engine.BackendOption(Name, "gossip.WithPreset", presetKey{}, p)
}

// Config hands over a whole memberlist configuration; the registry sets
// only its delegates, its logger (unless c.Logger or c.LogOutput is set)
// and, if given by other options, the bind address, name and key.
func Config(c *memberlist.Config) engine.Option {
	return engine.BackendOption(Name, "gossip.Config", configKey{}, c)
}

// SecretKey turns on gossip encryption with an AES key of 16, 24 or 32
// bytes. Nodes with another key can neither join nor read the gossip.
// It is SecretKeys with one key.
func SecretKey(key []byte) engine.Option {
	return engine.BackendOption(Name, "gossip.SecretKey", secretKey{}, key)
}

// SecretKeys turns on gossip encryption with several AES keys (16, 24 or
// 32 bytes each), for rotating keys with no downtime: the first encrypts
// what this node sends, every one decrypts what it receives. Given to
// Init, it changes a running node's keyring in place (memberlist's
// Keyring: the new keys installed, the first used, the others removed).
// A rotation across a cluster, one Init per member at each step:
//
//	SecretKeys(old, new)  // every member: new is known everywhere
//	SecretKeys(new, old)  // every member: new is used
//	SecretKeys(new)       // every member: old is gone
//
// A node that started without encryption cannot turn it on (memberlist
// fixes that when it starts).
func SecretKeys(keys ...[]byte) engine.Option {
	return engine.BackendOption(Name, "gossip.SecretKeys", keysKey{}, keys)
}

// InsecureOpenCluster lets a node with no secret key listen where other
// hosts can reach it (any bind address but loopback): anyone who reaches
// its port can then join the cluster and register any service, which
// redirects that service's calls. Without it such a node refuses to
// start (ErrOpenCluster). It changes nothing for a node with a key, or
// bound to loopback.
func InsecureOpenCluster() engine.Option {
	return engine.BackendOption(Name, "gossip.InsecureOpenCluster", openKey{}, true)
}

// ClusterName sets the cluster's name (memberlist's Label): it travels
// with every packet and connection, and a member refuses whatever comes
// with another name, so that two clusters on one network never merge by
// accident (a mistyped address, a reused port). A node told to join a
// member of another cluster logs it, and New and Init return an error
// wrapping ErrRejected. Default: none (and a node with none refuses
// every named cluster). It cannot change on a running node.
func ClusterName(name string) engine.Option {
	return engine.BackendOption(Name, "gossip.ClusterName", clusterKey{}, name)
}

// Reconnect sets how often a member tries to join again members that
// failed (were declared dead without leaving), and for how long, so that
// a cluster split by a partition merges again once the network heals:
// every interval, up to three random failed members are joined, and a
// member failed for longer than timeout is forgotten. Members that left
// (Close) are never tried. Default: interval 4 × the probe interval (2 s
// for the Local preset, 4 s for LAN, 20 s for WAN), timeout
// DefaultReconnectTimeout. An interval of 0 or less turns reconnection
// off.
func Reconnect(interval, timeout time.Duration) engine.Option {
	return engine.BackendOption(Name, "gossip.Reconnect", reconnectKey{}, reconnectTimes{interval, timeout})
}

// DefaultReconnectTimeout is how long a failed member is tried again by
// default: serf's default, as long as an overnight outage.
const DefaultReconnectTimeout = 24 * time.Hour

type reconnectTimes struct{ interval, timeout time.Duration }

// NodeName sets the node's name in the cluster (default: a random
// unique name). Names must be unique across the cluster.
func NodeName(name string) engine.Option {
	return engine.BackendOption(Name, "gossip.NodeName", nameKey{}, name)
}

// Clock sets the clock TTLs are measured on (tests pass a fake).
func Clock(c engine.Clock) engine.Option {
	return engine.Marked(Name, "gossip.Clock", engine.ClockOption(c))
}

// MaxNodesPerMember sets how many nodes one member may have this node
// hold: its registrations and, for ten minutes, its deregistrations
// (default engine.DefaultMaxNodesPerPeer, 25,000; 0 or less: the default).
// A member's nodes beyond it are refused here, logged once and counted
// by doctor's limits check; this node's own Register beyond it returns
// an error wrapping engine.ErrLimit. It bounds what a buggy or hostile
// member can make every other member hold.
func MaxNodesPerMember(n int) engine.Option {
	return engine.BackendOption(Name, "gossip.MaxNodesPerMember", maxPerMemberKey{}, n)
}
