// Package consul is the production registry backend: every go-micro node
// is one Consul service instance (ID = node id), registered through the
// local agent with a TTL health check the registry keeps passing, so a
// killed process's instances go critical and Consul removes them.
//
// It registers itself as "consul". With no options it uses the agent at
// CONSUL_HTTP_ADDR or 127.0.0.1:8500; registry.Addrs (or
// --registry_address) names agents, failing over between them. New
// returns a bad configuration (ErrConfig) at once; it does not wait for
// the agent, so a service started before its agent works once the agent
// is up.
//
// # Lookups and watches
//
// Lookups of a service already looked up or watched are answered from a
// local view kept current by Consul blocking queries; watches work for one
// service or for all of them. Lookups return passing instances only.
// Reads go to the leader; one that fails because the cluster has no
// leader, or with a server error, is asked again of any server (a stale
// read), and reads go stale at once for 10 s, so lookups and listings go
// on answering through an election (ReadMode(ReadStale) makes every read
// stale, ReadMode(ReadConsistent) none).
//
// # What a change costs
//
// A registry that views up to ViewQueries services (DefaultViewQueries,
// 11) follows each with a blocking query of its own on
// /v1/health/service/NAME, which the agent answers from its streaming
// view of that one service. A change to a service it does not view costs
// it and its agent nothing, however large the catalog and however many
// registries the host runs; a change to a viewed service costs each
// registry viewing it one answer, as a raw blocking query would. It holds
// at most ViewQueries + 5 connections to its agent: 16 by default.
//
// A registry that views more services, or watches every service, shares
// its change detection: one blocking query on the health of every check
// (/v1/health/state/any) and one on the service list find which services
// changed, and two fetchers read only those. It holds 4 long-lived
// connections whatever it views (8 with idle ones), but every change
// anywhere in the catalog costs it and its agent a reading of every check:
// O(catalog) a change, per registry (about 20 ms of agent CPU at 1,000
// services). That is for the few processes that watch everything, such as
// a gateway or microreg services. A watch of all 1,000 services of an
// agent is current in about a second; a service looked up by name is read
// before the bulk of a watch-all; services with instances that have no
// check of their own, whose changes no check shows, are read again at
// every change of the catalog.
//
// So, per change, with V registries on a host each viewing K services of
// a catalog of C: nothing for a service none of them views while K is at
// most ViewQueries; one answer per registry viewing the changed service;
// and O(C) per registry past ViewQueries or with a watch of every service.
// Connections: V × (K + 5) at most, against the agent's 200 per client
// address (limits.http_max_conns_per_client): a host running many
// registries that each view many services should lower ViewQueries or
// raise that limit. bench/README.md, "consul at fleet scale", has the
// measurements.
//
// # Outages
//
// Every error that means "Consul cannot answer now" (refused, timeout,
// 429, 5xx, no leader) wraps ErrUnavailable, with its cause reachable
// through errors.As; an ACL refusal wraps ErrPermissionDenied. Views keep
// answering from what they had and retry within a second while the agent
// is down (up to 10 s while it is busy); a watcher's Next returns the
// error once, then goes on. When an agent returns, empty or not, own
// nodes are registered again and passing, and views are current, within
// about a second. A Register that failed with ErrUnavailable may have
// reached the agent, so the registry keeps registering that node until
// Deregister. A node registered over a check the agent still knows as
// critical (its earlier process died) is passed at once: the agent keeps
// a known check's status through a registration, to avoid flapping.
//
// # What a registration looks like in Consul
//
// As consul catalog services -tags, the UI, /v1/health/service/NAME,
// Prometheus' consul_sd, consul-template, Traefik and Fabio see it:
//
//   - ID, Name, Address, Port: the node's id, the service's name, the
//     node's host and port.
//   - Meta, plain: the node's metadata (protocol=mucp, transport=http ...,
//     as go-micro's consul plugin writes it, so Prometheus gets
//     __meta_consul_service_metadata_protocol), then the service's
//     metadata, wherever Consul accepts the pair (keys of letters, digits,
//     _ and - up to 128 bytes, values up to 512 bytes; not consul-... or
//     microreg...). A service key that is also a node key stays compressed
//     (the node's value is the plain one); Meta (every registration) and
//     WithMeta (one Register, through registry.RegisterContext) add pairs
//     of your own, which win a key over both.
//   - Meta, compressed: microreg00, microreg01, ... hold JSON+zlib+base64
//     of the version, the endpoints, whatever metadata could not be plain,
//     and which plain keys are node and which service metadata, so reading
//     gives back exactly what was registered. Past Consul's 64 pairs,
//     plain pairs move into the chunks, the service's first.
//   - Tags: go-micro consul plugin's t-/e-/v- (node metadata, endpoints,
//     version, as hex(zlib(JSON)); PluginTags(false) leaves them out),
//     then microreg and microreg-version=VERSION, then yours (Tags,
//     WithTags). Yours and your Meta stay through heartbeats and go-micro's
//     periodic re-registration.
//   - Check: a TTL check service:ID ("microreg heartbeat") the registry
//     keeps passing, plus any HTTPCheck, TCPCheck or GRPCCheck.
//   - DNS: a service is NAME.service.consul (SRV gives the port) and
//     TAG.NAME.service.consul by one of its tags. A dotted go-micro name
//     (go.micro.srv.greeter) cannot be looked up through Consul DNS, since
//     the dots separate labels there; find it through the HTTP API or the
//     registry, or register a DNS-safe name.
//
// Services registered by go-micro's consul plugin are readable, and the
// plugin reads microreg's, so a fleet can switch one service at a time.
//
// # Security
//
// Who can register: whoever the agent lets, which is Consul's to decide.
// To lock it down, turn ACLs on with default_policy "deny" and give each
// service a token whose policy may write only its own service (Token, or
// CONSUL_HTTP_TOKEN); a registration the agent refuses is an error
// wrapping ErrPermissionDenied, and doctor's acl check says what a token
// may not read. TLS comes from registry.TLSConfig or registry.Secure, with
// certificates verified (only InsecureSkipVerify turns that off);
// Datacenter sets the datacenter asked. The token is in no log line,
// error, doctor output or --json of microreg's: tested by grepping every
// output of the CLI on an agent with ACLs on, with the token right and
// wrong.
//
// Limits: the view holds at most registry.MaxServices names and
// registry.MaxNodes nodes (50,000 and 200,000 by default); a service over
// them is refused, logged once, and every other keeps working. Registrations
// written by others (their Meta and go-micro's plugin tags) are decoded
// with bounds (zlib output capped, every service validated) and fuzzed in
// CI (FuzzDecodeMeta).
//
// # Tests
//
// Its tests run real Consul agents on loopback: consul from PATH, or a
// binary built once from tools/consul (Consul v1.22.2, pinned by its
// go.sum) into the user cache directory; the first build takes minutes.
package consul
