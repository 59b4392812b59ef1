// Package etcd is the registry backend for fleets that run etcd (often
// because Kubernetes does): every go-micro node is one etcd key, in the
// layout go-micro's own etcd registries use, attached to one lease per
// registry, and every registry keeps a local view fed by one watch.
//
// It registers itself as "etcd" (--registry=etcd, MICRO_REGISTRY=etcd).
// With no options it uses registry.Addrs, else ETCD_ENDPOINTS
// (comma-separated), else MICRO_REGISTRY_ADDRESS, else 127.0.0.1:2379; an
// address without a port gets 2379. New returns a bad configuration
// (ErrConfig) at once and does not wait for etcd: a service started
// before etcd works once etcd is up.
//
// # Keys: go-micro's layout
//
// A node is the key /micro/registry/<service>/<node id> ("/" in either
// made "-"), holding the JSON of a Service with that one node: exactly
// what go-micro's v4 etcd plugin (github.com/go-micro/plugins/v4/registry/etcd)
// and go-micro v5's core etcd registry write and read. A fleet moves to
// microreg one service at a time: each side looks up, lists and watches
// the other's nodes, metadata and endpoints included (tested both ways
// against both). Prefix moves a registry off the shared prefix; the
// rivals then do not see it.
//
// What that layout cannot carry, and what microreg does instead:
//   - Names: "a/b" and "a-b" share keys. The rivals let one overwrite the
//     other; Register refuses with ErrKeyTaken.
//   - A TTL per node in etcd: a registry's nodes share its one lease, whose
//     TTL is the RegisterTTL of the last Register that gave one
//     (LeaseTTL, default 30 s, without any). go-micro's per-node TTL is
//     kept by the registry itself: a node not registered again within its
//     RegisterTTL is deleted, as on every backend. A killed process's
//     nodes go when the lease runs out.
//   - A node the rivals write without a TTL has no lease and never
//     expires; doctor warns of such keys.
//
// # Leases
//
// A registry holds one lease while it holds a node, kept alive by one
// KeepAlive stream (clientv3 sends every lease of a client on one), not
// renewed node by node: go-micro's re-registration every 30 s of an
// unchanged node writes nothing at all (etcd's revision does not move).
// The lease is revoked when the last node is deregistered and on Close,
// which deletes every node at once: a SIGTERM'd go-micro service is gone
// from every view within etcd's watch latency (milliseconds); a SIGKILL'd
// one when its lease's TTL runs out.
//
// A lease lost for any reason (expired while the registry could not reach
// etcd, revoked, etcd restored from an older snapshot) is noticed, by its
// keepalive stream or by the first write that etcd refuses, and the
// registry's nodes are written again on a new lease; so is a node whose
// key is deleted behind the registry's back (the registry wins over an
// etcdctl del: deregister through microreg instead). A write etcd commits
// after its Register has failed with a timeout (a lost quorum regained) is
// deleted, not kept alive on the lease. Nothing registered expires
// silently while its process lives.
//
// # Views
//
// The first use of a registry lists every key under the prefix (a
// linearizable read) and watches from the next revision. Lookups,
// listings and watches are answered from that view: GetService and
// ListServices cost etcd nothing, and one watch feeds any number of
// watchers. When the watch cannot go on (a compaction past its revision, a
// member lost, no leader, an etcd restarted) the registry lists again and
// watches from the new revision; watchers get exactly the changes between
// what they saw and what is there, none lost or repeated. An etcd restored
// from an older snapshot ends no watch (clientv3 resumes it, waiting for
// revisions etcd has forgotten): one count-only read of the prefix every
// 10 s sees the revision go back or the cluster change, and the registry
// lists again and writes back its nodes the snapshot lacks. Register and
// Deregister return once the registry's own view has the change, so a
// lookup through the same registry sees it. While etcd cannot be reached,
// lookups answer from the view and writes fail within the timeout.
//
// A registry holds one etcd client: one connection per endpoint at most,
// whatever it registers, looks up or watches (10,000 nodes of 1,000
// services and 100 watchers over one connection, tested).
//
// # Errors
//
// ErrUnavailable wraps every error that means etcd cannot answer now (no
// endpoint, a timeout, no leader); ErrPermissionDenied a refusal of etcd's
// auth; ErrConfig a bad configuration; ErrKeyTaken a key collision. Every
// call is bounded by registry.Timeout (DefaultTimeout, 5 s).
//
// # Security
//
// etcd decides who may register: with auth off, anyone who reaches it
// can redirect a service's calls. Turn auth on (etcdctl user add root;
// etcdctl auth enable), give each service a user whose role may read and
// write the prefix (etcdctl role grant-permission ROLE readwrite
// --prefix=true /micro/registry/), and pass it with Auth or
// ETCD_USERNAME/ETCD_PASSWORD. With credentials, the client is made in
// the background, so an unreachable etcd never hangs New (go-micro issue
// 2144). registry.Secure(true) uses TLS and verifies etcd's certificate
// (registry.TLSConfig for a private CA); only InsecureSkipVerify turns
// verification off. Passwords never reach logs, errors or doctor.
//
// # doctor
//
// Diagnose (microreg --registry etcd doctor SERVICE) checks, by name:
// endpoint (which answer, etcd's version), cluster (how many members
// answer), leader, auth (whether this user may read the prefix; a warning
// when auth is off and etcd is not on loopback), lease (the registry's,
// and its TTL), view (revision, relistings, compactions) and keys (the
// service's: how many, any without a lease).
package etcd
