package mdns

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/microreg/microreg/engine"
)

func TestTXTCarriesLargeServices(t *testing.T) {
	s := &engine.Service{Name: "big", Version: "1", Metadata: map[string]string{"blob": strings.Repeat("m", 4096)},
		Nodes: []*engine.Node{{Id: "n", Address: "127.0.0.1:1"}}}
	for i := 0; i < 200; i++ {
		s.Endpoints = append(s.Endpoints, &engine.Endpoint{Name: "H.M" + strings.Repeat("x", i%9), Request: &engine.Value{Name: "r", Type: "T"}})
	}
	txt, err := encodeTXT(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range txt {
		if len(x) > 255 {
			t.Fatalf("a TXT string of %d bytes", len(x))
		}
	}
	got, ours, err := decodeTXT(txt)
	if err != nil || !ours || len(got.Endpoints) != 200 || got.Metadata["blob"] != s.Metadata["blob"] {
		t.Fatalf("round trip: ours=%v err=%v", ours, err)
	}
	if _, ours, _ := decodeTXT([]string{"path=/"}); ours {
		t.Fatal("foreign TXT taken for ours")
	}
	if _, _, err := decodeTXT([]string{txtMarker, "d00=!!"}); !errors.Is(err, ErrBadTXT) {
		t.Fatalf("bad TXT: %v", err)
	}
}

// FuzzDecode feeds arbitrary packets and TXT strings to what reads the
// network: it must never panic.
func FuzzDecode(f *testing.F) {
	txt, _ := encodeTXT(&engine.Service{Name: "s", Nodes: []*engine.Node{{Id: "n", Address: "127.0.0.1:1"}}})
	msg := new(dns.Msg)
	msg.Response = true
	msg.Answer = append(msg.Answer, &dns.TXT{Hdr: dns.RR_Header{Name: "x.local.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 120}, Txt: txt})
	pkt, _ := msg.Pack()
	f.Add(pkt, txt[1])
	f.Add([]byte{0, 0, 0x84, 0}, "d00=eJw")
	gmSet, _, _ := goMicroRecords(&engine.Service{Name: "s", Version: "1", Nodes: []*engine.Node{{Id: "n", Address: "127.0.0.1:1"}}}, net.IPv4(127, 0, 0, 1), 1)
	gm := new(dns.Msg)
	gm.Response = true
	gm.Answer = gmSet.records(120, gmSet.ptrs...)
	gmPkt, _ := gm.Pack()
	f.Add(gmPkt, gmSet.txt[0])
	r := &Registry{store: engine.NewStore(), own: map[string]*ownNode{}, seen: map[string]bool{},
		refresh: map[string]time.Time{}, asked: map[string]time.Time{}, heard: make(chan struct{}), ttl: DefaultTTL, maxPerHost: engine.DefaultMaxNodesPerPeer, goMicro: true}
	r.out = newSender(func(string, ...any) {})
	defer r.out.close()
	defer r.store.Close()
	f.Fuzz(func(t *testing.T, pkt []byte, chunk string) {
		r.handlePacket(pkt, received{})
		_, _, _ = decodeTXT([]string{txtMarker, chunk})
		_, _ = decodeGoMicroTXT([]string{chunk})
	})
}
