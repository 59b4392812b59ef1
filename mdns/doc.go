// Package mdns is a zero-configuration registry backend for a LAN: nodes
// announce themselves over multicast DNS (RFC 6762, built on miekg/dns)
// and every registry keeps a cache of what it hears, so a lookup of a
// service already seen costs no network at all (go-micro's mdns registry
// waits 100 ms on every lookup).
//
// It registers itself as "mdns", go-micro's default. By default it uses
// every interface that is up and multicast-capable; Interface pins it.
// New returns why it could not start (no multicast interface, the
// sockets: ErrNotStarted). Options: Interface, IPv4, IPv6, Domain, TTL,
// QueryTimeout, GoMicro, Clock; each applies when the sockets are opened,
// so in Init it is an error wrapping registry.ErrOption.
//
// # Announcements and lookups
//
// A node announces itself when registered and again a second later,
// re-announces every half TTL, and says goodbye (records with TTL 0) when
// deregistered or closed, so others drop it at once; a crashed node leaves
// caches when its records expire (TTL, default 120 s). A registry created
// after a node registered (a client started after its server) asks for
// it: its first lookup, listing or watch sends a query from an ephemeral
// port, every responder answers it by unicast, and the call returns as
// soon as answers settle (about 30 ms). The responder follows RFC 6762:
// queries from port 5353 are answered by multicast (at most once a second
// per node), QU and legacy queries by unicast with the question echoed.
// Answers and announcements of many nodes are split into messages of at
// most 9,000 bytes and paced, so hundreds of services on one host reach
// every cache.
//
// # DNS-SD: what the platform's browsers see
//
// microreg's own format is DNS-SD (RFC 6763), so the platform's tools read
// every node. To look at a LAN's services:
//
//	avahi-browse -r _microreg._tcp                  # Linux: every node, resolved
//	avahi-browse -r _greeter._sub._microreg._tcp    # one service's nodes
//	dns-sd -B _microreg._tcp                        # macOS
//	avahi-browse -a                                 # every type on the link: _microreg._tcp is one
//
// Every node is an instance of one service type, _microreg._tcp, and of
// its service's subtype, _<name>._sub._microreg._tcp, where <name> is the
// service name lower-cased with every byte other than a-z, 0-9 and '-'
// made '-' (go.micro.srv.greeter: _go-micro-srv-greeter), or _mr and a
// hash when that is over 62 bytes. The meta-query
// _services._dns-sd._udp.local. is answered with _microreg._tcp.local.
//
// Instance names are readable and unique: "<service> <version> [<node
// id>]" with a leading "<service>-" taken off the id (go-micro's ids
// repeat the name), e.g. "greeter 1.0.3 [6f1c9a2e-4b5d-…]", cut to 63
// bytes of UTF-8, the id first (to no fewer than 8 bytes), then the name.
// Two nodes whose names come out the same are resolved as RFC 6762 §9
// says, with §8.2's tie-break: the one whose SRV data is lexicographically
// earlier is renamed "<name> (2)" and keeps that name. A node is announced
// at once, without §8.1's three probes (750 ms), since its name holds its
// id.
//
// The TXT record has readable key=value strings, then the whole
// registration: "mr=1"; "name=" and "version=" of the service; the node's
// metadata, each pair that is a DNS-SD key (printable ASCII, no '=') and
// fits 255 bytes, while the readable part fits 1,300 bytes (RFC 6763
// §6.2); then d00=, d01=, … holding the service's JSON compressed
// (base64url of zlib), cut into strings of at most 255 bytes. microreg
// reads only that last part, so a registration of any size travels
// exactly, and the readable part is for people and tools. A node's
// address is its SRV (port) and A or AAAA record.
//
// microreg before DNS-SD announced each service under a type of its own
// (_mr<hash>._tcp), pointed at from _microreg._tcp. Its TXT is read as
// before and lookups still ask its type; that type is answered (never
// announced) and the TXT's marker still comes first, so its lookups find
// these nodes too, and a LAN of both finds every node while it upgrades.
//
// # go-micro's own mdns registry
//
// It speaks go-micro's mDNS format too: with GoMicro(true) (the default)
// every node is also served and announced the way go-micro.dev/v4's
// default registry reads them, and go-micro's nodes are found, listed and
// watched, so a fleet on go-micro's mdns can switch one service at a time.
// GoMicro(false) turns it off, and then neither sees the other. Tested in
// gomicro_test.go and peer_test.go against go-micro v4.11.0's
// registry.NewRegistry(), each side in its own process for the RPC.
//
//	what                     go-micro → microreg              microreg → go-micro
//	GetService (also from    yes                              yes (go-micro always waits its 100 ms)
//	  a later process)
//	ListServices             yes                              yes
//	Watch                    create, a node joining (update), create, changed data (as a create:
//	                         goodbye (delete)                 go-micro has no update), goodbye (delete)
//	an RPC through go-micro  yes                              yes
//	Service.Metadata         go-micro does not send it        not in go-micro's format: never seen
//	a node killed without    asked for again at half its TTL; go-micro's GetService stops finding it
//	  a goodbye              gone when its 120 s TTL runs out at once; its watcher never reports it gone
//
// What does not interoperate, and why:
//   - Names go-micro's format cannot hold: a service name or node id with a
//     DNS label over 63 bytes (or an empty label), or an address without a
//     port. Such nodes are served in microreg's format only, with a log
//     line.
//   - go-micro's mdns.domain context option: microreg speaks go-micro's
//     default domain micro. only.
//   - A re-registration with changed metadata on go-micro's side: go-micro
//     never announces it (its own limitation), so nobody sees the change.
//   - go-micro's watcher reports a create at every re-announcement of a
//     microreg node (every half TTL, 60 s by default), since go-micro never
//     re-announces and has no other word for it.
//
// Answers to legacy (ephemeral-port) queries carry the records' real TTL,
// not RFC 6762's 10 s cap for legacy resolvers: the only legacy queriers
// here are go-micro's and microreg's own, and both cache what they are
// told.
//
// # Security
//
// Who can register: any host on the link. mDNS has no authority, and no
// go-micro registry authenticates it. To lock it down, give every registry
// the same key (Keys, or MICRO_REGISTRY_KEY; `microreg keygen` makes one):
// each node then signs its records (HMAC-SHA256 over its whole TXT, the
// goodbye signed apart, the registration's time inside), and a registry
// with keys reads only records signed with one of them. A host without the
// key that announces a service's name at its own address is ignored;
// so is a captured announcement sent back as a goodbye, or an older one
// sent back after the node moved; and since SRV records carry no
// signature, a signed registry never renames its nodes over a conflict
// (an unsigned SRV could otherwise make them change names). What was
// dropped is counted, logged
// once per sender and instance, and shown by doctor's signatures check.
// Keys rotate with no downtime as gossip's do (see Keys). go-micro's
// format cannot carry a signature, so with keys it is neither served nor
// read: a signed registry and go-micro's own mdns registry do not see
// each other. Keys are named by id only (registry.KeyID) and are in no
// log line, error or doctor output (tested).
//
// Limits: a registry caches at most MaxNodesPerHost nodes of one host
// (25,000 by default) and registry.MaxServices names and registry.MaxNodes
// nodes in all (50,000 and 200,000); a host past its limit has the excess
// refused, logged once and named by doctor's limits check, until its
// records expire or say goodbye. Every packet is parsed by miekg/dns and
// decoded with bounds (zlib output capped, every service validated); the
// decoders and the responder's handling of queries are fuzzed in CI.
//
// # Tests
//
// Its tests run in a private network namespace that the test binary
// creates for itself (user and network namespaces, lo only; see
// internal/netns), so no multicast packet reaches a real interface.
package mdns
