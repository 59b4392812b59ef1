package mdns

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/miekg/dns"
)

// microreg's own format follows DNS-SD (RFC 6763), so that the platform's
// browsers (avahi-browse, dns-sd, python-zeroconf) read it:
//
//	_services._dns-sd._udp.local.  PTR  _microreg._tcp.local.                  the meta-query
//	_microreg._tcp.local.          PTR  greeter 1.0.3 [6f1c…]._microreg._tcp.local.  every node
//	_greeter._sub._microreg._tcp.local.  PTR  (the same instance)              one service's nodes
//	greeter 1.0.3 [6f1c…]._microreg._tcp.local.  SRV  port, mr3f9a….local.
//	                                              TXT  mr=1 name=greeter version=1.0.3 …
//	mr3f9a….local.                 A    the node's address
const (
	// serviceType is the one DNS-SD service type every microreg node is
	// an instance of.
	serviceType = "_microreg._tcp"
	// metaQuery is DNS-SD's service type enumeration name (RFC 6763 §9).
	metaQuery = "_services._dns-sd._udp"
	// maxLabel is a DNS label's limit in bytes.
	maxLabel = 63
)

// typeName is the service type's name in domain.
func typeName(domain string) string { return serviceType + "." + domain + "." }

// metaName is the meta-query's name in domain.
func metaName(domain string) string { return metaQuery + "." + domain + "." }

// subtypeName is the name one service's nodes are browsed under in
// domain: _<label>._sub._microreg._tcp.
func subtypeName(service, domain string) string {
	return subtypeLabel(service) + "._sub." + typeName(domain)
}

// subtypeLabel is the service name as a subtype label: lower-cased, with
// every byte other than a-z, 0-9 and '-' made '-', when that is at most 62
// bytes; otherwise _mr and a hash of the name. Two names may share a
// label ("a.b" and "a-b"); a browse of it then lists both, and microreg's
// own lookups keep only the service asked for.
func subtypeLabel(service string) string {
	if service == "" || len(service) > maxLabel-1 {
		return "_" + hashLabel(service)
	}
	b := []byte(strings.ToLower(service))
	for i, c := range b {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			b[i] = '-'
		}
	}
	return "_" + string(b)
}

// legacyTypeName is the per-service type microreg announced its nodes
// under before it followed DNS-SD. Lookups still ask it, so nodes of an
// older microreg on the link are found directly, not only by browsing;
// and it is answered (never announced), so an older microreg's lookups
// find these nodes too: its reader takes any instance name, and the TXT's
// marker still comes first.
func legacyTypeName(service, domain string) string {
	return "_" + hashLabel(service) + "._tcp." + domain + "."
}

func hashLabel(s string) string {
	h := sha256.Sum256([]byte(s))
	return "mr" + hex.EncodeToString(h[:6])
}

// nodeLabel names one node of one service version as a DNS label of
// letters and digits: the key of this registry's own nodes, and the host
// name its SRV record points at.
func nodeLabel(name, version, id string) string {
	h := sha256.Sum256([]byte(name + "\x00" + version + "\x00" + id))
	return "mr" + hex.EncodeToString(h[:12])
}

// instanceLabel is a node's readable DNS-SD instance name (RFC 6763 §4.1.1):
// "<service> <version> [<id>]" in at most 63 bytes of UTF-8 without
// control characters, where <id> is the node id less a leading
// "<service>-" (go-micro's ids repeat the service name). What does not fit
// is cut: the id first, to no fewer than 8 bytes, then the service and
// version. conflict > 1 adds " (conflict)", the name RFC 6762 §9 has a
// responder take when its first is someone else's.
func instanceLabel(name, version, id string, conflict int) string {
	base := printable(name)
	if v := printable(version); v != "" {
		base += " " + v
	}
	tag := printable(strings.TrimPrefix(id, name+"-"))
	suffix := ""
	if conflict > 1 {
		suffix = fmt.Sprintf(" (%d)", conflict)
	}
	room := maxLabel - len(suffix) - len(" []")
	if len(base)+len(tag) > room {
		keep := max(room-len(base), min(len(tag), 8))
		tag = cutUTF8(tag, keep)
		base = cutUTF8(base, room-len(tag))
	}
	return base + " [" + tag + "]" + suffix
}

// printable replaces control characters, which RFC 6763 §4.1.1 keeps out
// of instance names, and invalid UTF-8 with spaces.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, " "))
}

// cutUTF8 cuts s to at most n bytes, at a rune's boundary.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// instanceName is a node's fully qualified instance name in domain, in the
// presentation form miekg/dns reads names off the wire in (dots and
// spaces escaped), so that names heard compare equal to names made.
func instanceName(label, domain string) string {
	return presentLabel(label) + "." + typeName(domain)
}

// presentLabel is one label's presentation form: the label packed as
// wire data, then read back by miekg/dns.
func presentLabel(label string) string {
	wire := append([]byte{byte(len(label))}, label...)
	wire = append(wire, 0)
	name, _, err := dns.UnpackDomainName(wire, 0)
	if err != nil {
		return hashLabel(label)
	}
	return strings.TrimSuffix(name, ".")
}
