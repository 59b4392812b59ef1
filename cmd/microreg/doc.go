// Command microreg is an operator's view of any microreg backend, in the
// spirit of `consul catalog` and `consul members`:
//
//	microreg [flags] services            the services, their versions and node counts
//	microreg [flags] get NAME            one service: versions, nodes, metadata, endpoints
//	microreg [flags] watch [NAME]        registry events as they happen, until interrupted
//	microreg [flags] register FILE.json  register a service and keep it registered until interrupted
//	microreg [flags] deregister FILE.json
//	microreg [flags] doctor [SERVICE]    why a service is (not) found: checks with ok, warn or fail
//	microreg keygen                      a new key for gossip and mdns, base64, as consul keygen prints one
//
// keygen prints 32 random bytes in base64: what MICRO_REGISTRY_KEY, the
// environment variable the gossip and mdns backends read their keys from,
// and registry.ParseKeys take (several, comma-separated, for a rotation:
// the first is used, every one accepted):
//
//	export MICRO_REGISTRY_KEY=$(microreg keygen)
//
// Flags: --registry NAME (or MICRO_REGISTRY; default mdns, as in go-micro),
// --registry_address ADDR[,ADDR] (or MICRO_REGISTRY_ADDRESS), --json for
// scripts, --timeout for each call. FILE.json is a go-micro
// registry.Service in JSON ({"name": ..., "version": ..., "nodes":
// [{"id": ..., "address": "host:port"}]}).
//
// On gossip, the CLI is a member of the cluster while it runs: the
// services a member registers are its own, so `register` holds them until
// interrupted, and `deregister` removes only what that process
// registered; on consul and etcd, `deregister` removes the instances (the
// keys) whoever registered them: a killed process's, before its TTL.
//
// An unknown backend, a backend that cannot start, or a registry that
// cannot answer is one line on stderr and exit status 1.
//
// # doctor: why a service is not found
//
// microreg [--registry NAME] [--registry_address ADDR] doctor [SERVICE]
// runs a list of checks and prints each with ok, warn or fail, what it
// found and, under a warning or a failure, what to do. It exits 0 when no
// check failed and 1 otherwise; --json prints the same as JSON
// ({"backend", "service", "checks": [{"check", "status", "finding",
// "fix"}]}). It only reads: nothing registered changes. Without SERVICE it
// checks the backend alone. From Go, registry.Diagnose(ctx, r, "greeter")
// returns the same checks.
//
//   - every backend: backend (linked into the program; if not, which are),
//     listing (the backend answers), service (found, with its versions and
//     nodes, or the closest names that exist, by case and edit distance,
//     with their versions);
//   - consul: agent (reachable, its address, Consul version, node and
//     datacenter), datacenter (the one asked for is known), leader (a Raft
//     leader, or reads are stale), acl (the token may read the catalog and
//     the service: Consul answers a token that may not with less, not an
//     error), health (instances passing, warning and critical, with each
//     failing check's name and output; none passing is "registered but
//     hidden"), name (Consul matched the name without case), datacenters
//     (the same name in another datacenter);
//   - etcd: endpoint (which answer, etcd's version), cluster (how many
//     members answer), leader, auth (this user may read the prefix; a
//     warning when auth is off and etcd is not on loopback), lease (the
//     registry's, with its TTL), view (revision, relistings, compactions),
//     keys (the service's keys, and any without a lease: never expire);
//   - gossip: node (started, its address, cluster name and encryption),
//     exposure (the bind address, whether other hosts reach it, the keys
//     by id, never the keys, and the cluster name; a warning for a
//     reachable node with no key),
//     members (alive, suspect and failed, or alone and why), isolation
//     (members refused this node, or their messages could not be
//     decrypted: another key or cluster name), owners (which member
//     registered each node of the service, and whether it is still a
//     member);
//   - mdns: interfaces (up and multicast-capable, joined, not joined),
//     container (signs of one), traffic (another node answered a browse),
//     go-micro (nodes heard in go-micro's own format), other interfaces
//     (the service answers on an interface this registry did not join).
//
// A service whose only instance's TTL check went critical (its server
// stopped heartbeating), from TestDoctorCriticalCheck against a real
// agent (ports shown as the usual ones):
//
//	$ microreg --registry consul doctor greeter
//	microreg doctor: consul, service greeter
//	ok    agent            agent http://127.0.0.1:8500 answers: consul 1.22.2, node dev, datacenter dc1
//	ok    datacenter       the registry reads the agent's datacenter dc1
//	ok    leader           Raft leader 127.0.0.1:8300: reads are current
//	ok    acl              the token may read the catalog and service greeter
//	fail  health           registered but hidden: 1 instance: 0 passing, 0 warning, 1 critical; greeter-1: check "greeter TTL" critical: TTL expired
//	                       fix: lookups return passing instances only: a TTL check fails when its process stops heartbeating (is it running? can it reach its agent?); see consul catalog services and the UI
//	ok    listing          consul lists 1 service
//	fail  service          greeter is not registered (or no instance of it is visible)
//	                       fix: see the failed checks above
//	2 checks failed
//	$ echo $?
//	1
package main
