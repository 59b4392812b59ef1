package gossip

import (
	"time"

	"github.com/hashicorp/memberlist"
	egossip "github.com/microreg/microreg/engine/gossip"
	"github.com/microreg/microreg/internal/face4"
	"github.com/microreg/microreg/registry"
)

// BindAddress sets the address and port the node listens on, UDP and TCP
// (default DefaultBindAddr and DefaultPort). Port 0 picks a free port.
func BindAddress(host string, port int) registry.Option {
	return face4.Option(egossip.BindAddress(host, port))
}

// AdvertiseAddress sets the address and port other nodes reach this one
// on, when it differs from the bind address (NAT, containers).
func AdvertiseAddress(host string, port int) registry.Option {
	return face4.Option(egossip.AdvertiseAddress(host, port))
}

// WithPreset selects memberlist's timings (default Local when bound to
// loopback, LAN otherwise).
func WithPreset(p Preset) registry.Option { return face4.Option(egossip.WithPreset(p)) }

// Config hands over a whole memberlist configuration; the registry sets
// only its delegates, its logger (unless c.Logger or c.LogOutput is set)
// and, if given by other options, the bind address, name and key.
func Config(c *memberlist.Config) registry.Option { return face4.Option(egossip.Config(c)) }

// SecretKey turns on gossip encryption with an AES key of 16, 24 or 32
// bytes. Nodes with another key can neither join nor read the gossip.
// It is SecretKeys with one key.
func SecretKey(key []byte) registry.Option { return face4.Option(egossip.SecretKey(key)) }

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
func SecretKeys(keys ...[]byte) registry.Option { return face4.Option(egossip.SecretKeys(keys...)) }

// InsecureOpenCluster lets a node with no secret key listen where other
// hosts can reach it (any bind address but loopback): anyone who reaches
// its port can then join the cluster and register any service, which
// redirects that service's calls. Without it such a node refuses to
// start (ErrOpenCluster). It changes nothing for a node with a key, or
// bound to loopback.
func InsecureOpenCluster() registry.Option { return face4.Option(egossip.InsecureOpenCluster()) }

// ClusterName sets the cluster's name (memberlist's Label): it travels
// with every packet and connection, and a member refuses whatever comes
// with another name, so that two clusters on one network never merge by
// accident (a mistyped address, a reused port). A node told to join a
// member of another cluster logs it, and New and Init return an error
// wrapping ErrRejected. Default: none (and a node with none refuses
// every named cluster). It cannot change on a running node.
func ClusterName(name string) registry.Option { return face4.Option(egossip.ClusterName(name)) }

// Reconnect sets how often a member tries to join again members that
// failed (were declared dead without leaving), and for how long, so that
// a cluster split by a partition merges again once the network heals:
// every interval, up to three random failed members are joined, and a
// member failed for longer than timeout is forgotten. Members that left
// (Close) are never tried. Default: interval 4 × the probe interval (2 s
// for the Local preset, 4 s for LAN, 20 s for WAN), timeout
// DefaultReconnectTimeout. An interval of 0 or less turns reconnection
// off.
func Reconnect(interval, timeout time.Duration) registry.Option {
	return face4.Option(egossip.Reconnect(interval, timeout))
}

// NodeName sets the node's name in the cluster (default: a random
// unique name). Names must be unique across the cluster.
func NodeName(name string) registry.Option { return face4.Option(egossip.NodeName(name)) }

// Clock sets the clock TTLs are measured on (tests pass a fake).
func Clock(c registry.Clock) registry.Option { return face4.Option(egossip.Clock(c)) }

// MaxNodesPerMember sets how many nodes one member may have this node
// hold: its registrations and, for ten minutes, its deregistrations
// (default registry.DefaultMaxNodesPerPeer, 25,000). A member's nodes
// beyond it are refused here, logged once and shown by doctor's limits
// check; this node's own Register beyond it returns an error wrapping
// registry.ErrLimit.
func MaxNodesPerMember(n int) registry.Option { return face4.Option(egossip.MaxNodesPerMember(n)) }
