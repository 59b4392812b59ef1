package mdns_test

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/mdns"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

// TestHostOverItsLimit: one host (127.0.0.2) announces more nodes than a
// registry caches of one host: the registry keeps the limit's worth,
// refuses the rest, logs it once and doctor names the host, and a service
// of another host (127.0.0.1) is found as ever.
func TestHostOverItsLimit(t *testing.T) {
	const limit, pushed = 20, 50
	heard := captureTXT(t)
	hog := open(t, mdns.GoMicro(false))
	var labels []string
	for i := range pushed {
		s := &registry.Service{Name: fmt.Sprintf("hog%02d", i), Version: "1", Nodes: []*registry.Node{{Id: "n", Address: "127.0.0.1:1"}}}
		if err := hog.Register(s); err != nil {
			t.Fatal(err)
		}
		labels = append(labels, fmt.Sprintf("hog%02d 1 [n]", i))
	}
	var rrs []dns.RR
	for _, l := range labels {
		rrs = append(rrs, heard.first(t, l))
	}
	mdns.Crash(hog) // gone without a goodbye: its records live on only in what we replay

	r := open(t, mdns.MaxNodesPerHost(limit))
	// Replayed from 127.0.0.2, another host as far as the registry knows.
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, rr := range rrs {
		b, err := (&dns.Msg{MsgHdr: dns.MsgHdr{Response: true}, Answer: []dns.RR{rr}}).Pack()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.WriteToUDP(b, &net.UDPAddr{IP: net.IPv4(224, 0, 0, 251), Port: 5353}); err != nil {
			t.Fatal(err)
		}
	}
	wait.Until(t, 10*time.Second, "the registry refused the host's excess", func() bool {
		f, _ := registrytest.Diagnose(r, "").Check("limits")
		return f.Status == registry.StatusWarn
	})
	legit := open(t)
	if err := legit.Register(&registry.Service{Name: "legit", Version: "1", Nodes: []*registry.Node{{Id: "l1", Address: "127.0.0.1:2"}}}); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 10*time.Second, "the registry finds another host's service", func() bool {
		s, err := r.GetService("legit")
		return err == nil && len(s) == 1
	})
	list, err := r.ListServices()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != limit+1 {
		t.Fatalf("the registry holds %d services, want the host's %d and legit", len(list), limit)
	}
	registrytest.WantFinding(t, registrytest.Diagnose(r, ""), "limits", registry.StatusWarn,
		"at most 20 nodes per host", "refused 30 nodes", "127.0.0.2 (30)", "mdns.MaxNodesPerHost")
}
