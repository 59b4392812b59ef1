package mdns

import (
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/microreg/microreg/engine"
)

// FuzzRespond: whatever query a peer sends (any questions, classes,
// known answers, from port 5353 or a legacy port), the responder answers
// without panicking, from a registry serving nodes in both formats.
func FuzzRespond(f *testing.F) {
	r := &Registry{store: engine.NewStore(), own: map[string]*ownNode{}, names: map[string]*ownNode{}, seen: map[string]bool{},
		refresh: map[string]time.Time{}, asked: map[string]time.Time{}, heard: make(chan struct{}), ttl: DefaultTTL, maxPerHost: engine.DefaultMaxNodesPerPeer,
		goMicro: true, domain: DefaultDomain}
	// Closed: every answer is built and dropped, nothing is sent.
	r.out = newSender(func(string, ...any) {})
	r.out.close()
	defer r.store.Close()
	for i, name := range []string{"greeter", "go.micro.srv.billing"} {
		s := &engine.Service{Name: name, Version: "1.0.3", Nodes: []*engine.Node{{Id: name + "-1", Address: "127.0.0.1:9000", Metadata: map[string]string{"k": "v"}}}}
		own, err := r.newOwn(s, i, 0)
		if err != nil {
			f.Fatal(err)
		}
		own.ttl = DefaultTTL
		r.setOwnLocked(nodeLabel(s.Name, s.Version, s.Nodes[0].Id), own)
	}
	l := &link{group: groupV4}
	for _, q := range []dns.Question{
		{Name: metaName(DefaultDomain), Qtype: dns.TypePTR, Qclass: dns.ClassINET},
		{Name: typeName(DefaultDomain), Qtype: dns.TypeANY, Qclass: dns.ClassINET | qclassUnicast},
		{Name: subtypeName("greeter", DefaultDomain), Qtype: dns.TypePTR, Qclass: dns.ClassINET},
		{Name: goMicroServices, Qtype: dns.TypePTR, Qclass: dns.ClassINET},
	} {
		m := new(dns.Msg)
		m.Question = []dns.Question{q}
		b, _ := m.Pack()
		f.Add(b, true)
		f.Add(b, false)
	}
	f.Fuzz(func(t *testing.T, pkt []byte, legacy bool) {
		from := &net.UDPAddr{IP: net.IPv4(10, 0, 0, 9), Port: mdnsPort}
		if legacy {
			from.Port = 40000
		}
		r.handlePacket(pkt, received{from: from, link: l})
	})
}
