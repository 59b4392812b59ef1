package mdns_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/brutella/dnssd"
	"github.com/libp2p/zeroconf/v2"
	"github.com/miekg/dns"

	"github.com/microreg/microreg/mdns"
	"github.com/microreg/microreg/registry"
)

// These tests read microreg's nodes with two independent DNS-SD
// implementations, as the platform's own browsers (avahi-browse -r
// _microreg._tcp, dns-sd -B _microreg._tcp, python-zeroconf) would:
// libp2p's zeroconf (the meta-query, browsing the type and a subtype,
// resolving an instance) and brutella's dnssd (a browse that reports
// removals). Both are dependencies of these tests only.

// dnssdNode is one node the way a go-micro server registers it.
func dnssdNode(service, version, uuid string, port int) *registry.Service {
	return &registry.Service{Name: service, Version: version, Nodes: []*registry.Node{{
		Id:       service + "-" + uuid,
		Address:  "127.0.0.1:" + strconv.Itoa(port),
		Metadata: map[string]string{"protocol": "mucp", "transport": "http", "region": "eu-west"},
	}}}
}

// openDefaultTTL is open with mdns's default TTL: nodes are re-announced
// every minute, not every second, so a browse hears only what it asks.
func openDefaultTTL(t *testing.T) registry.Registry {
	t.Helper()
	r, err := mdns.New(mdns.Interface("lo"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { registry.Close(r) })
	return r
}

// browse runs a libp2p zeroconf browse of service ("_type._tcp" or
// "_type._tcp,_subtype") until until reports true of the entries heard, and
// returns every entry heard by then, deduplicated by instance name.
func browse(t *testing.T, service string, until func(map[string]*zeroconf.ServiceEntry) bool) map[string]*zeroconf.ServiceEntry {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	entries := make(chan *zeroconf.ServiceEntry)
	done := make(chan error, 1)
	go func() {
		done <- zeroconf.Browse(ctx, service, "local.", entries, zeroconf.SelectIPTraffic(zeroconf.IPv4), zeroconf.SelectIfaces([]net.Interface{*lo}))
	}()
	got := map[string]*zeroconf.ServiceEntry{}
	met := false
	// Read until the browse ends: zeroconf closes entries then, and an
	// entry it is still handing over must be taken, so that whatever came
	// in the same answer as the last one wanted is counted too.
	for e := range entries {
		got[e.Instance] = e
		if !met && until(got) {
			met = true
			cancel()
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !met {
		t.Fatalf("browsing %s: heard %v before the timeout", service, slices.Sorted(mapsKeys(got)))
	}
	return got
}

func mapsKeys(m map[string]*zeroconf.ServiceEntry) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(unescape(k)) {
				return
			}
		}
	}
}

// unescape reads a DNS label in presentation form (\. \  \DDD) as text.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			n, _ := strconv.Atoi(s[i+1 : i+4])
			b.WriteByte(byte(n))
			i += 3
			continue
		}
		b.WriteByte(s[i+1])
		i++
	}
	return b.String()
}

func cutTo(s string, n int) string { return s[:min(len(s), n)] }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// listenGroup hands every response multicast to lo's mDNS group to
// handle, from a plain listener, until the test ends.
func listenGroup(t *testing.T, handle func(*dns.Msg)) {
	t.Helper()
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.ListenMulticastUDP("udp4", lo, &net.UDPAddr{IP: net.IPv4(224, 0, 0, 251), Port: 5353})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65536)
		for {
			n, _, err := c.ReadFromUDP(buf)
			if err != nil {
				return
			}
			var m dns.Msg
			if m.Unpack(buf[:n]) == nil && m.Response {
				handle(&m)
			}
		}
	}()
	t.Cleanup(func() { _ = c.Close(); <-done })
}

// instanceLabel is the readable instance name of a record's name.
func instanceLabel(name string) string {
	label, _, _ := strings.Cut(name, "._microreg.")
	return unescape(label)
}

// announcements counts, by readable instance name, the responses that
// carry a node's SRV: a node is announced at once and again a second
// later.
type announcements struct {
	mu    sync.Mutex
	count map[string]int
}

func listenAnnouncements(t *testing.T) *announcements {
	t.Helper()
	a := &announcements{count: map[string]int{}}
	listenGroup(t, func(m *dns.Msg) {
		a.mu.Lock()
		defer a.mu.Unlock()
		for _, rr := range m.Answer {
			if srv, ok := rr.(*dns.SRV); ok && srv.Hdr.Ttl > 0 {
				a.count[instanceLabel(srv.Hdr.Name)]++
			}
		}
	})
	return a
}

func (a *announcements) waitFor(t *testing.T, n int, instances ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		a.mu.Lock()
		all := true
		for _, i := range instances {
			all = all && a.count[i] >= n
		}
		counts := fmt.Sprint(a.count)
		a.mu.Unlock()
		if all {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("announcements heard %v, want %d of each of %q", counts, n, instances)
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
}

// TestDNSSDBrowsersSeeEveryNode: the meta-query lists the one service
// type; a browse of the type lists every node by a readable name; a browse
// of one service's subtype lists only that service's nodes; resolving a
// node gives its address, port and readable properties.
func TestDNSSDBrowsersSeeEveryNode(t *testing.T) {
	heard := listenAnnouncements(t)
	r := openDefaultTTL(t)
	nodes := []*registry.Service{
		dnssdNode("greeter", "1.0.3", "6f1c9a2e-4b5d-4e3a-9f0e-1a2b3c4d5e6f", 9101),
		dnssdNode("greeter", "1.0.3", "0b7d2c41-8e2f-4a6b-b1c3-d4e5f6a7b8c9", 9102),
		dnssdNode("billing", "2.1.0", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", 9103),
	}
	want := []string{
		"greeter 1.0.3 [6f1c9a2e-4b5d-4e3a-9f0e-1a2b3c4d5e6f]",
		"greeter 1.0.3 [0b7d2c41-8e2f-4a6b-b1c3-d4e5f6a7b8c9]",
		"billing 2.1.0 [9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d]",
	}
	for _, s := range nodes {
		if err := r.Register(s); err != nil {
			t.Fatal(err)
		}
	}
	// Both announcements out: from now on only the browses' own
	// questions are answered on the link.
	heard.waitFor(t, 2, want...)

	greeters := browse(t, "_microreg._tcp,_greeter", func(got map[string]*zeroconf.ServiceEntry) bool { return len(got) >= 2 })
	if names := slices.Sorted(mapsKeys(greeters)); !slices.Equal(names, slices.Sorted(slices.Values(want[:2]))) {
		t.Fatalf("a browse of _greeter._sub._microreg._tcp listed %q, want greeter's two nodes only", names)
	}

	types := browse(t, "_services._dns-sd._udp", func(got map[string]*zeroconf.ServiceEntry) bool {
		_, ok := got["_microreg._tcp.local"]
		return ok
	})
	if len(types) != 1 {
		t.Fatalf("the meta-query listed %v, want _microreg._tcp.local only", slices.Sorted(mapsKeys(types)))
	}

	// Resolved by the instance name a browser shows, escaped as DNS
	// names are: dots, spaces.
	instance := strings.NewReplacer(".", `\.`, " ", `\ `).Replace(want[2])
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lo, _ := net.InterfaceByName("lo")
	resolved := make(chan *zeroconf.ServiceEntry, 4)
	if err := zeroconf.Lookup(ctx, instance, "_microreg._tcp", "local.", resolved, zeroconf.SelectIPTraffic(zeroconf.IPv4), zeroconf.SelectIfaces([]net.Interface{*lo})); err != nil {
		t.Fatal(err)
	}
	e, ok := <-resolved
	if !ok {
		t.Fatalf("resolving %q: no answer", want[2])
	}
	if len(e.AddrIPv4) == 0 || !e.AddrIPv4[0].Equal(net.IPv4(127, 0, 0, 1)) || e.Port != 9103 {
		t.Fatalf("resolved %q to %v port %d, want 127.0.0.1 port 9103", want[2], e.AddrIPv4, e.Port)
	}
	for _, kv := range []string{"name=billing", "version=2.1.0", "protocol=mucp", "transport=http", "region=eu-west"} {
		if !slices.Contains(e.Text, kv) {
			t.Fatalf("resolved TXT %q lacks %q", e.Text, kv)
		}
	}
	all := browse(t, "_microreg._tcp", func(got map[string]*zeroconf.ServiceEntry) bool { return len(got) >= 3 })
	if names := slices.Sorted(mapsKeys(all)); !slices.Equal(names, slices.Sorted(slices.Values(want))) {
		t.Fatalf("a browse of _microreg._tcp listed %q, want %q", names, want)
	}

}

// TestDNSSDBrowserSeesDeregistration: brutella's dnssd browse reports a
// node when it registers and its removal when it deregisters.
func TestDNSSDBrowserSeesDeregistration(t *testing.T) {
	r := openDefaultTTL(t)
	ctx, cancel := context.WithCancel(context.Background())
	added, removed := make(chan string, 8), make(chan string, 8)
	done := make(chan error, 1)
	go func() {
		done <- dnssd.LookupType(ctx, "_microreg._tcp.local.",
			func(e dnssd.BrowseEntry) { added <- e.Name + " " + e.Text["name"] },
			func(e dnssd.BrowseEntry) { removed <- e.Name })
	}()
	defer func() { cancel(); <-done }()
	s := dnssdNode("ledger", "3", "c0ffee00-1111-4222-8333-444455556666", 9201)
	const name = "ledger 3 [c0ffee00-1111-4222-8333-444455556666]"
	if err := r.Register(s); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-added:
		if got != name+" ledger" {
			t.Fatalf("dnssd added %q, want %q with TXT name=ledger", got, name)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("dnssd never listed the registered node")
	}
	if err := r.Deregister(s); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-removed:
		if got != name {
			t.Fatalf("dnssd removed %q, want %q", got, name)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("dnssd never saw the deregistration as a removal")
	}
}

// TestDNSSDNameConflict: two nodes whose readable names come out the same
// (a long service name leaves room for 8 bytes of id, and the ids share
// them) are both listed, one renamed "(2)" as RFC 6762 §9 says, and
// microreg still sees both nodes.
func TestDNSSDNameConflict(t *testing.T) {
	heard := listenAnnouncements(t)
	a, b := openDefaultTTL(t), openDefaultTTL(t)
	long := "conflict-" + strings.Repeat("x", 45)
	one := dnssdNode(long, "1", "aaaaaaaa-1", 9301)
	two := dnssdNode(long, "1", "aaaaaaaa-2", 9302)
	if err := a.Register(one); err != nil {
		t.Fatal(err)
	}
	if err := b.Register(two); err != nil {
		t.Fatal(err)
	}
	// Both labels are cut to 63 bytes, the id to its first 8.
	first := cutTo(long+" 1", 63-len(" [aaaaaaaa]")) + " [aaaaaaaa]"
	renamed := cutTo(long+" 1", 63-len(" [aaaaaaaa] (2)")) + " [aaaaaaaa] (2)"
	// Browsed once the loser has announced its new name: a browser that
	// heard the first name's two owners before would keep whichever came
	// first (zeroconf never updates an entry it handed out).
	heard.waitFor(t, 1, renamed)
	got := browse(t, "_microreg._tcp", func(got map[string]*zeroconf.ServiceEntry) bool {
		names := slices.Collect(mapsKeys(got))
		return slices.Contains(names, first) && slices.Contains(names, renamed)
	})
	ports := map[int]bool{}
	for k, e := range got {
		if n := unescape(k); n == first || n == renamed {
			ports[e.Port] = true
		}
	}
	if len(ports) != 2 || !ports[9301] || !ports[9302] {
		t.Fatalf("%q and %q resolve to ports %v, want 9301 and 9302", first, renamed, ports)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, err := a.GetService(long)
		if err == nil && len(s) == 1 && len(s[0].Nodes) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the rename microreg sees %v (%v), want both nodes", s, err)
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
}
