// Package gossip is a peer-to-peer registry backend: every process is a
// member of a hashicorp/memberlist (SWIM) cluster and the registry is
// replicated between members, with no server anywhere.
//
// It registers itself as "gossip". With no options a node listens on
// 127.0.0.1:7946, or on a free port joining 127.0.0.1:7946 if that is
// taken, so processes on one host find each other with nothing set. Across
// hosts: BindAddress, registry.Addrs (members to join, or
// --registry_address), SecretKeys for encryption, ClusterName, WithPreset
// (local, lan, wan) or a whole Config. New returns why a node could not
// start (its port taken, a bad key: ErrNotStarted) or was refused by the
// members it was given (ErrRejected).
//
// # Replication
//
// Every change goes straight to every member in a packet, and by gossip;
// one larger than a packet goes over TCP. Newer updates for the same nodes
// replace queued older ones, and periodic push/pull state exchange lets a
// member that joined late or missed messages converge. Each update is
// ordered by its origin's epoch and Lamport time, so a late or duplicate
// message never brings back a deregistered node or rolls back a newer
// registration. A member that leaves (Close) takes its services with it at
// once; one that dies, after failure detection (about 3 s with the local
// preset), with delete events everywhere. TTLs are measured on each
// member's own clock. Members rejoin their seeds if they find themselves
// alone.
//
// # Partitions
//
// A network split makes each side declare the other dead and drop its
// services; once it has lasted past memberlist's GossipToTheDeadTime
// nobody talks across any more. So, as serf does, every member keeps the
// members that failed (declared dead without leaving) and every reconnect
// interval joins up to three of them at random: the first join that gets
// through merges the two memberships, each side asks the other for its
// registrations, and watchers get create events for what came back. Bound:
// one reconnect interval plus a merge (measured in bench/: well under 2 ×
// the interval). What was deregistered during the split stays gone,
// members that left are never tried, and a failed member is forgotten
// after the reconnect timeout. Reconnect(interval, timeout): default
// interval 4 × the probe interval (2 s local, 4 s LAN, 20 s WAN), timeout
// 24 h (serf's); an interval of 0 turns it off. The cost is one TCP
// connection per failed member tried, at most three per interval.
//
// # Bursts
//
// When a member makes changes faster than it can send them (hundreds of
// Register calls at once, a restart), they are coalesced: once 32 sends
// are queued it sends its whole state (its registrations and recent
// deregistrations) over TCP to every member instead, once, as soon as it
// can. 1,000 registrations on one member of ten are listed by every other
// member in under 2 s (bench/: BenchmarkGossipBurst).
//
// # Cluster name and keys
//
// ClusterName("prod") sets memberlist's Label: every packet and
// connection carries it, and a member refuses anything with another name
// (or none), so two clusters on one network never merge through a
// mistyped address. A node told to join a member of another cluster logs
// it, and New and Init return an error wrapping ErrRejected. The name
// cannot change on a running node.
//
// SecretKeys(keys...): the first key encrypts, every key decrypts. Given
// to Init it changes a running node's keyring in place, so keys rotate
// with no restart and no downtime, one Init per member at each step:
// SecretKeys(old, new) everywhere, then SecretKeys(new, old), then
// SecretKeys(new). A node with a retired key is refused (ErrRejected).
// SecretKey(k) is SecretKeys(k). A running node applies only these
// options and ClusterName in Init; any other is an error wrapping
// registry.ErrOption.
//
// # Security
//
// Who can register: any process that can reach a member's port and speaks
// its cluster name and key. A registration redirects a service's calls,
// so a node refuses to start where other hosts can reach it (any bind
// address but loopback: 0.0.0.0, an interface's address, a host name)
// without a key, with an error wrapping ErrOpenCluster and ErrNotStarted
// that names the fixes, as Redis's protected mode does:
//
//	export MICRO_REGISTRY_KEY=$(microreg keygen)      // every member; or
//	gossip.SecretKey(key)                             // key: registry.ParseKeys(...)
//	gossip.BindAddress("127.0.0.1", 7946)             // this host only
//	gossip.InsecureOpenCluster()                      // anyone who reaches the port
//
// Loopback needs no key: the default (127.0.0.1:7946) is unchanged. A
// key given neither as an option nor by a Config's keyring is read from
// MICRO_REGISTRY_KEY (registry.EnvKey: base64 keys, comma-separated, the
// first used), which is how a program go-micro starts with
// --registry=gossip gets one. A Config with its own memberlist Transport
// binds where that transport does and is the caller's to secure. To lock
// a cluster down: a key on every member (AES-GCM, memberlist's), a cluster
// name, and a bind address on the network the members share. doctor's
// exposure check shows the bind, whether other hosts reach it, the keys
// by id (registry.KeyID, never the key) and the cluster name. Keys are in
// no log line, error, doctor output or --json: tested by grepping every
// output of the CLI with the right key and a wrong one.
//
// Limits: a member may have every other hold at most MaxNodesPerMember of
// its nodes (25,000 by default, registrations and recent deregistrations),
// and a view holds at most registry.MaxServices names and registry.MaxNodes
// nodes (50,000 and 200,000). A member past its limit has the excess
// refused, logged once and named by doctor's limits check; every other
// member's services keep working, and this node's own Register past it
// returns an error wrapping registry.ErrLimit. bench/README "A flood"
// measures a member pushing 1,000,000 registrations. Every message a peer
// sends is decoded with bounds (MaxMessageSize) and fuzzed in CI.
package gossip
