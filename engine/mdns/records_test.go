package mdns

import (
	"fmt"
	"net"
	"testing"

	"github.com/miekg/dns"

	"github.com/microreg/microreg/engine"
)

func node(i int) *engine.Service {
	return &engine.Service{Name: fmt.Sprintf("pack.svc%03d", i), Version: "1",
		Nodes: []*engine.Node{{Id: fmt.Sprint("n", i), Address: "127.0.0.1:9000", Metadata: map[string]string{"protocol": "mucp"}}}}
}

// Many nodes' answers are split into messages of at most maxMessage bytes,
// each node's records whole in one message; go-micro's are one node to a
// message, with the question echoed in each.
func TestPackSplitsAnswers(t *testing.T) {
	var mr, gm []unit
	for i := 0; i < 200; i++ {
		s := node(i)
		set, err := microregRecords(s, "local", net.IPv4(127, 0, 0, 1), 9000, 0, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		mr = append(mr, unit{rrs: set.records(120, set.ptrs[1])})
		g, ok, err := goMicroRecords(s, net.IPv4(127, 0, 0, 1), 9000)
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		gm = append(gm, unit{rrs: g.records(120, g.ptrs...), alone: true})
	}
	q := []dns.Question{{Name: typeName("local"), Qtype: dns.TypePTR, Qclass: dns.ClassINET}}
	msgs := pack(dns.MsgHdr{Id: 7, Response: true}, q, mr, maxMessage)
	if len(msgs) < 2 {
		t.Fatalf("200 nodes in %d message(s)", len(msgs))
	}
	txts := 0
	for _, b := range msgs {
		if len(b) > maxMessage {
			t.Fatalf("a message of %d bytes", len(b))
		}
		var m dns.Msg
		if err := m.Unpack(b); err != nil {
			t.Fatal(err)
		}
		if m.Id != 7 || len(m.Question) != 1 || m.Question[0].Name != q[0].Name {
			t.Fatalf("question not echoed: id %d, %v", m.Id, m.Question)
		}
		for _, rr := range m.Answer {
			if txt, ok := rr.(*dns.TXT); ok {
				if _, ours, err := decodeTXT(txt.Txt); !ours || err != nil {
					t.Fatalf("a node's TXT split: %v %v", ours, err)
				}
				txts++
			}
		}
	}
	if txts != 200 {
		t.Fatalf("%d nodes arrived, want 200", txts)
	}
	if got := pack(dns.MsgHdr{Response: true}, nil, gm, maxMessage); len(got) != 200 {
		t.Fatalf("go-micro's nodes in %d messages, want one each", len(got))
	}
}

// Names go-micro's format cannot hold are served in microreg's only.
func TestGoMicroNamesThatDoNotFit(t *testing.T) {
	long := &engine.Service{Name: fmt.Sprintf("%070d", 1), Nodes: []*engine.Node{{Id: "n", Address: "127.0.0.1:1"}}}
	if _, ok, err := goMicroRecords(long, net.IPv4(127, 0, 0, 1), 1); ok || err != nil {
		t.Fatalf("a 70-byte label: ok %v, err %v", ok, err)
	}
	dotted := node(1)
	dotted.Name = "go.micro.srv.greeter"
	if _, ok, err := goMicroRecords(dotted, net.IPv4(127, 0, 0, 1), 1); !ok || err != nil {
		t.Fatalf("a dotted name go-micro uses: ok %v, err %v", ok, err)
	}
	if _, ok, _ := goMicroRecords(node(2), net.IPv4(127, 0, 0, 1), 0); ok {
		t.Fatal("a node with no port served in go-micro's format")
	}
}
