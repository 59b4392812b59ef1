package mdns

import (
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// multicastGap is how soon a record set may be multicast again on a link
// (RFC 6762 §6: at most once a second, probes aside).
const multicastGap = time.Second

// respond answers a query heard on l from from, as RFC 6762 says:
//   - a legacy query (from a port other than 5353, as go-micro's and
//     microreg's own queriers send) gets a unicast answer that echoes the
//     query's id and questions;
//   - a question with the unicast bit (QU) gets a unicast answer;
//   - any other question gets a multicast answer, so that every cache on
//     the link learns, at most once a second for each record set.
//
// Answers are split into messages of at most maxMessage bytes.
func (r *Registry) respond(q *dns.Msg, from *net.UDPAddr, l *link) {
	if q.Opcode != dns.OpcodeQuery || q.Rcode != 0 || len(q.Question) == 0 || r.fromSelf(from) {
		return
	}
	legacy := from.Port != mdnsPort
	var uni, multi []unit
	now := time.Now()
	r.mu.Lock()
	for _, u := range r.answerLocked(q.Question) {
		if legacy || u.question.Qclass&qclassUnicast != 0 {
			uni = append(uni, u.unit)
		} else if u.limit == nil || u.limit.mayMulticast(l, now) {
			multi = append(multi, u.unit)
		}
	}
	r.mu.Unlock()
	var out []packet
	if len(uni) > 0 {
		hdr := dns.MsgHdr{Response: true, Authoritative: true}
		var question []dns.Question
		if legacy {
			hdr.Id, question = q.Id, q.Question
		}
		for _, b := range pack(hdr, question, uni, maxMessage) {
			out = append(out, packet{conn: l.listener, to: from, buf: b})
		}
	}
	for _, b := range pack(dns.MsgHdr{Response: true, Authoritative: true}, nil, multi, maxMessage) {
		out = append(out, packet{conn: l.listener, to: l.group, buf: b})
	}
	r.out.push(out...)
}

// answer is one unit of an answer: which question it answers, and what
// limits how often it is multicast (nil for a go-micro listing entry).
type answer struct {
	unit
	question dns.Question
	limit    *multicastLimit
}

// answerLocked returns the units that answer questions. A node asked for
// in both formats in one query (microreg's own queriers ask both) is
// answered in microreg's only, which carries more; so is a go-micro
// listing entry for a service answered in microreg's format.
func (r *Registry) answerLocked(questions []dns.Question) []answer {
	var out []answer
	inMicroreg := map[*ownNode]bool{}
	servicesInMicroreg := map[string]bool{}
	for _, q := range questions {
		for _, n := range r.own {
			if ptr, ok := n.mr.answers(q); ok && !inMicroreg[n] {
				inMicroreg[n], servicesInMicroreg[n.svc.Name] = true, true
				out = append(out, answer{unit: unit{rrs: n.mr.records(uint32(n.ttl/time.Second), ptrs(ptr)...)}, question: q, limit: &n.mr.multicastLimit})
			}
		}
		if len(r.own) > 0 && strings.EqualFold(q.Name, metaName(r.domain)) && (q.Qtype == dns.TypePTR || q.Qtype == dns.TypeANY) {
			// DNS-SD's meta-query (RFC 6763 §9): the one service type.
			meta := &dns.PTR{Hdr: dns.RR_Header{Name: metaName(r.domain), Rrtype: dns.TypePTR, Class: dns.ClassINET, Ttl: uint32(r.ttl / time.Second)}, Ptr: typeName(r.domain)}
			out = append(out, answer{unit: unit{rrs: []dns.RR{meta}}, question: q, limit: &r.metaLimit})
		}
	}
	listed := map[string]bool{}
	for _, q := range questions {
		for _, n := range r.own {
			if n.gm == nil || inMicroreg[n] {
				continue
			}
			ttl := uint32(n.ttl / time.Second)
			if ptr, ok := n.gm.answers(q); ok {
				out = append(out, answer{unit: unit{rrs: n.gm.records(ttl, ptrs(ptr)...), alone: true}, question: q, limit: &n.gm.multicastLimit})
			}
			if strings.EqualFold(q.Name, goMicroServices) && (q.Qtype == dns.TypePTR || q.Qtype == dns.TypeANY) &&
				!listed[n.svc.Name] && !servicesInMicroreg[n.svc.Name] {
				listed[n.svc.Name] = true
				out = append(out, answer{unit: goMicroListing(n.svc.Name, ttl), question: q})
			}
		}
	}
	return out
}

func ptrs(ptr string) []string {
	if ptr == "" {
		return nil
	}
	return []string{ptr}
}

// fromSelf reports whether a query came from this registry's own querier.
func (r *Registry) fromSelf(from *net.UDPAddr) bool {
	return r.selfPorts[from.Port] && r.localIP(from.IP)
}

func (r *Registry) localIP(ip net.IP) bool {
	if ip.IsLoopback() {
		return true
	}
	for _, l := range r.links {
		addrs, _ := l.ifi.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.Equal(ip) {
				return true
			}
		}
	}
	return false
}
