package mdns

import (
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// recordSet is what one node answers for in one wire format: PTRs from
// the names it is browsed under to its instance name, an SRV and a TXT on
// that name, and an A or AAAA record on the SRV's target.
type recordSet struct {
	ptrs []string // the names whose PTR points at instance
	// asked are names answered with a PTR at instance but never announced:
	// the type microreg before DNS-SD asks a service by (dnssd.go).
	asked    []string
	instance string // fully qualified, in presentation form
	label    string // microreg's format: the instance's readable name
	target   string // the SRV's target, the name of the A/AAAA record
	ip       net.IP
	port     uint16
	txt      []string
	byeTXT   []string // the goodbye's TXT, signed for it; nil: txt
	// alone: sent one node to a message, because go-micro's client keeps
	// only the last node of each message it reads.
	alone bool
	multicastLimit
}

// multicastLimit is when records were last multicast on each link; the
// registry's mutex guards it.
type multicastLimit struct {
	multicast map[*link]time.Time
}

// mayMulticast reports whether the records may be multicast on l at now
// (not within multicastGap of the last time), and if so notes it.
func (m *multicastLimit) mayMulticast(l *link, now time.Time) bool {
	if now.Sub(m.multicast[l]) < multicastGap {
		return false
	}
	if m.multicast == nil {
		m.multicast = map[*link]time.Time{}
	}
	m.multicast[l] = now
	return true
}

// answers reports whether the set answers q, and under which PTR name
// ("" when q names the instance or its target).
func (s *recordSet) answers(q dns.Question) (ptr string, ok bool) {
	if q.Qclass&^qclassUnicast != dns.ClassINET && q.Qclass&^qclassUnicast != dns.ClassANY {
		return "", false
	}
	for _, p := range append(s.ptrs, s.asked...) {
		if strings.EqualFold(q.Name, p) && (q.Qtype == dns.TypePTR || q.Qtype == dns.TypeANY) {
			return p, true
		}
	}
	switch {
	case strings.EqualFold(q.Name, s.instance):
		switch q.Qtype {
		case dns.TypeANY, dns.TypeSRV, dns.TypeTXT:
			return "", true
		}
	case strings.EqualFold(q.Name, s.target):
		switch q.Qtype {
		case dns.TypeANY, dns.TypeA, dns.TypeAAAA:
			return "", true
		}
	}
	return "", false
}

// records returns the set with ttl (seconds; 0 is a goodbye): a PTR for
// each of ptrs, then SRV, A or AAAA and TXT, the order go-micro's own
// responder uses (its client completes a node on the record it reads
// last).
func (s *recordSet) records(ttl uint32, ptrs ...string) []dns.RR {
	hdr := func(name string, t uint16) dns.RR_Header {
		return dns.RR_Header{Name: name, Rrtype: t, Class: dns.ClassINET, Ttl: ttl}
	}
	out := make([]dns.RR, 0, len(ptrs)+3)
	for _, p := range ptrs {
		out = append(out, &dns.PTR{Hdr: hdr(p, dns.TypePTR), Ptr: s.instance})
	}
	out = append(out, &dns.SRV{Hdr: hdr(s.instance, dns.TypeSRV), Priority: 10, Weight: 1, Port: s.port, Target: s.target})
	if ip4 := s.ip.To4(); ip4 != nil {
		out = append(out, &dns.A{Hdr: hdr(s.target, dns.TypeA), A: ip4})
	} else if s.ip != nil {
		out = append(out, &dns.AAAA{Hdr: hdr(s.target, dns.TypeAAAA), AAAA: s.ip})
	}
	txt := s.txt
	if ttl == 0 && s.byeTXT != nil {
		txt = s.byeTXT
	}
	return append(out, &dns.TXT{Hdr: hdr(s.instance, dns.TypeTXT), Txt: txt})
}

// qclassUnicast is the top bit of a question's class: the querier prefers
// a unicast answer (RFC 6762 §5.4).
const qclassUnicast = 1 << 15

// unit is a group of records that travel in one message: one node's.
type unit struct {
	rrs   []dns.RR
	alone bool
}

// maxMessage is the largest message sent (RFC 6762 §17): answers and
// announcements of many nodes are split across messages of at most this
// many bytes. A single node larger than this still goes, in one message.
const maxMessage = 9000

// pack packs units into messages of at most limit bytes, each with hdr and
// question (echoed to legacy queriers), keeping a unit's records together
// and an alone unit in a message of its own.
func pack(hdr dns.MsgHdr, question []dns.Question, units []unit, limit int) [][]byte {
	var out [][]byte
	msg := &dns.Msg{MsgHdr: hdr, Question: question, Compress: true}
	flush := func() {
		if len(msg.Answer) == 0 {
			return
		}
		if b, err := msg.Pack(); err == nil {
			out = append(out, b)
		}
		msg = &dns.Msg{MsgHdr: hdr, Question: question, Compress: true}
	}
	for _, u := range units {
		if u.alone {
			flush()
			msg.Answer = u.rrs
			flush()
			continue
		}
		before := len(msg.Answer)
		msg.Answer = append(msg.Answer, u.rrs...)
		if before > 0 && msg.Len() > limit {
			msg.Answer = msg.Answer[:before]
			flush()
			msg.Answer = append(msg.Answer, u.rrs...)
		}
	}
	flush()
	return out
}
