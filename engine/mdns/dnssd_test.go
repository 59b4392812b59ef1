package mdns

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/miekg/dns"

	"github.com/microreg/microreg/engine"
)

func TestInstanceLabel(t *testing.T) {
	for _, c := range []struct {
		name, version, id string
		conflict          int
		want              string
	}{
		{"greeter", "1.0.3", "greeter-6f1c9a2e-4b5d-4e3a-9f0e-1a2b3c4d5e6f", 0, "greeter 1.0.3 [6f1c9a2e-4b5d-4e3a-9f0e-1a2b3c4d5e6f]"},
		{"greeter", "", "n1", 0, "greeter [n1]"},
		{"greeter", "latest", "n1", 3, "greeter latest [n1] (3)"},
		{"go.micro.srv.greeter", "1", "node\x01x", 0, "go.micro.srv.greeter 1 [node x]"},
		// A long id is cut first, to 8 bytes, then the name.
		{"greeter", "1.0.3", strings.Repeat("a", 80), 0, "greeter 1.0.3 [" + strings.Repeat("a", 60-len("greeter 1.0.3")) + "]"},
		{strings.Repeat("s", 70), "1", "abcdefghijk", 0, strings.Repeat("s", 52) + " [abcdefgh]"},
	} {
		got := instanceLabel(c.name, c.version, c.id, c.conflict)
		if got != c.want {
			t.Errorf("instanceLabel(%q, %q, %q, %d) = %q, want %q", c.name, c.version, c.id, c.conflict, got, c.want)
		}
	}
}

// FuzzInstanceLabel: whatever a registration holds, the instance name is
// valid UTF-8 without control characters in at most 63 bytes, and goes on
// the wire and back unchanged.
func FuzzInstanceLabel(f *testing.F) {
	f.Add("greeter", "1.0.3", "greeter-6f1c", 0)
	f.Add("ü"+strings.Repeat("é", 40), "\xff", "x", 7)
	f.Fuzz(func(t *testing.T, name, version, id string, conflict int) {
		label := instanceLabel(name, version, id, conflict%1000)
		if len(label) > maxLabel || !utf8.ValidString(label) || strings.ContainsFunc(label, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("instanceLabel(%q, %q, %q) = %q", name, version, id, label)
		}
		inst := instanceName(label, "local")
		m := &dns.Msg{Answer: []dns.RR{&dns.SRV{Hdr: dns.RR_Header{Name: inst, Rrtype: dns.TypeSRV, Class: dns.ClassINET}, Target: "h.local."}}}
		b, err := m.Pack()
		if err != nil {
			t.Fatalf("%q does not pack: %v", inst, err)
		}
		var back dns.Msg
		if err := back.Unpack(b); err != nil || back.Answer[0].Header().Name != inst {
			t.Fatalf("%q came back as %q (%v)", inst, back.Answer[0].Header().Name, err)
		}
	})
}

func TestSubtypeLabel(t *testing.T) {
	for in, want := range map[string]string{
		"greeter":               "_greeter",
		"Go.Micro.Srv.Greeter":  "_go-micro-srv-greeter",
		"a_b/c":                 "_a-b-c",
		strings.Repeat("x", 62): "_" + strings.Repeat("x", 62),
		strings.Repeat("x", 63): "_" + hashLabel(strings.Repeat("x", 63)),
		"":                      "_" + hashLabel(""),
	} {
		if got := subtypeLabel(in); got != want {
			t.Errorf("subtypeLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

// The TXT's readable part: the marker first (microreg before DNS-SD reads
// only that), name, version and the node's metadata as DNS-SD keys, none
// repeated in any case, none a chunk's key; what microreg reads is still
// the whole node.
func TestReadableTXT(t *testing.T) {
	s := &engine.Service{Name: "greeter", Version: "1.0.3", Nodes: []*engine.Node{{Id: "n", Address: "127.0.0.1:1", Metadata: map[string]string{
		"protocol": "mucp",
		"NAME":     "shadow",      // repeats name
		"d00":      "not a chunk", // a chunk's key
		"mr":       "2",           // the marker's key
		"a=b":      "x",           // not a key
		"":         "empty",
		"big":      strings.Repeat("b", 300), // over 255 bytes
		"zone":     "eu-west-1a",
	}}}}
	txt, err := encodeTXT(s)
	if err != nil {
		t.Fatal(err)
	}
	readable := slices.DeleteFunc(slices.Clone(txt), func(kv string) bool { k, _, _ := strings.Cut(kv, "="); return isChunkKey(k) })
	want := []string{"mr=1", "name=greeter", "version=1.0.3", "protocol=mucp", "zone=eu-west-1a"}
	if !slices.Equal(readable, want) {
		t.Fatalf("readable TXT %q, want %q", readable, want)
	}
	got, ours, err := decodeTXT(txt)
	if err != nil || !ours || !engine.SameRegistration(got, s) {
		t.Fatalf("decoded %v (ours %v, %v), want the whole node", got, ours, err)
	}

	many := &engine.Service{Name: "m", Nodes: []*engine.Node{{Id: "n", Address: "127.0.0.1:1", Metadata: map[string]string{}}}}
	for i := range 40 {
		many.Nodes[0].Metadata[strings.Repeat(string(rune('a'+i%26)), 1+i/26)] = strings.Repeat("v", 100)
	}
	size := 0
	for _, kv := range readableTXT(many) {
		size += len(kv) + 1
	}
	if size > readableBytes {
		t.Fatalf("the readable part is %d bytes, more than %d", size, readableBytes)
	}
}

// microreg before DNS-SD asks for a service by a type of its own and reads
// a TXT whose first string is the marker, then the chunks: a node is
// answered under that type with such a TXT, and is asked for by it.
func TestOlderMicroregIsAnsweredAndAsked(t *testing.T) {
	r := &Registry{domain: "local", own: map[string]*ownNode{}, names: map[string]*ownNode{}}
	s := &engine.Service{Name: "greeter", Version: "1", Nodes: []*engine.Node{{Id: "g1", Address: "127.0.0.1:9000", Metadata: map[string]string{"k": "v"}}}}
	own, err := r.newOwn(s, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	r.setOwnLocked(nodeLabel(s.Name, s.Version, "g1"), own)
	legacy := legacyTypeName("greeter", "local")
	if !slices.Contains(r.lookupNames("greeter"), legacy) {
		t.Fatalf("lookups ask %q, not %q", r.lookupNames("greeter"), legacy)
	}
	answers := r.answerLocked([]dns.Question{{Name: legacy, Qtype: dns.TypePTR, Qclass: dns.ClassINET}})
	if len(answers) != 1 {
		t.Fatalf("%d answers to %s, want 1", len(answers), legacy)
	}
	var txt *dns.TXT
	for _, rr := range answers[0].rrs {
		if x, ok := rr.(*dns.TXT); ok {
			txt = x
		}
	}
	if txt == nil || txt.Txt[0] != txtMarker {
		t.Fatalf("the answer's TXT %v does not start with %q", txt, txtMarker)
	}
	old := []string{txt.Txt[0]}
	for _, kv := range txt.Txt[1:] {
		if k, _, _ := strings.Cut(kv, "="); isChunkKey(k) {
			old = append(old, kv)
		}
	}
	if got, ours, err := decodeTXT(old); err != nil || !ours || !engine.SameRegistration(got, s) {
		t.Fatalf("the marker and chunks alone decode to %v (%v, %v)", got, ours, err)
	}
	// Never announced under it: browsers never see an instance of another
	// type under _microreg._tcp.
	for _, p := range own.mr.ptrs {
		if p == legacy {
			t.Fatalf("%s is announced", legacy)
		}
	}
}

// An SRV record for one of our instance names that points at another
// host renames the loser (RFC 6762 §9, §8.2's tie-break), unless the
// registry is signed: SRV records carry no signature.
func TestConflictRenamesUnlessSigned(t *testing.T) {
	for _, signed := range []bool{false, true} {
		r := &Registry{domain: "local", own: map[string]*ownNode{}, names: map[string]*ownNode{}, maxPerHost: 10}
		r.out = newSender(func(string, ...any) {})
		r.out.close() // nothing is sent
		if signed {
			r.keys = newKeyring([][]byte{make([]byte, 32)})
		}
		s := &engine.Service{Name: "greeter", Version: "1", Nodes: []*engine.Node{{Id: "g1", Address: "127.0.0.1:9000"}}}
		own, err := r.newOwn(s, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		own.ttl = DefaultTTL
		key := nodeLabel(s.Name, s.Version, "g1")
		r.setOwnLocked(key, own)
		// The data compare as they travel, label lengths first: a 1-byte
		// label is earlier than our 26-byte "mr…" target (ours wins), a
		// 28-byte one later (ours loses).
		for _, target := range []string{"a.local.", strings.Repeat("z", 28) + ".local."} {
			srv := &dns.SRV{Hdr: dns.RR_Header{Name: own.mr.instance, Rrtype: dns.TypeSRV, Class: dns.ClassINET, Ttl: 120}, Priority: 10, Weight: 1, Port: 9000, Target: target}
			r.learn(&dns.Msg{MsgHdr: dns.MsgHdr{Response: true}, Answer: []dns.RR{srv}}, nil)
		}
		got := r.own[key]
		switch {
		case signed && (got.conflict != 0 || got.mr.instance != own.mr.instance):
			t.Fatalf("a signed registry renamed its node to %q on an unsigned SRV", got.mr.label)
		case !signed && (got.conflict != 2 || got.mr.label != "greeter 1 [g1] (2)"):
			t.Fatalf("after losing a conflict the node is %q (conflict %d), want \"greeter 1 [g1] (2)\"", got.mr.label, got.conflict)
		}
	}
}
