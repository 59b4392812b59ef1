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
// Service data of any size travels compressed in TXT strings of at most
// 255 bytes; answers and announcements of many nodes are split into
// messages of at most 9,000 bytes and paced, so hundreds of services on
// one host reach every cache.
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
// # Tests
//
// Its tests run in a private network namespace that the test binary
// creates for itself (user and network namespaces, lo only; see
// internal/netns), so no multicast packet reaches a real interface.
package mdns
