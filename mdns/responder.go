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
func (r *mdnsRegistry) respond(q *dns.Msg, from *net.UDPAddr, l *link) {
	if q.Opcode != dns.OpcodeQuery || q.Rcode != 0 || len(q.Question) == 0 || r.fromSelf(from) {
		return
	}
	legacy := from.Port != mdnsPort
	var uni, multi []unit
	now := time.Now()
	r.mu.Lock()
	for _, qu := range q.Question {
		unicast := legacy || qu.Qclass&qclassUnicast != 0
		for _, u := range r.answerLocked(qu, l, now, unicast) {
			if unicast {
				uni = append(uni, u)
			} else {
				multi = append(multi, u)
			}
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

// answerLocked returns the units that answer q. For a multicast answer it
// leaves out the record sets multicast on l in the last second, and notes
// the time for the others.
func (r *mdnsRegistry) answerLocked(q dns.Question, l *link, now time.Time, unicast bool) []unit {
	var out []unit
	listed := map[string]bool{}
	for _, n := range r.own {
		ttl := uint32(n.ttl / time.Second)
		for _, set := range n.sets() {
			ptr, ok := set.answers(q)
			if !ok {
				continue
			}
			if !unicast {
				if !set.mayMulticast(l, now) {
					continue
				}
			}
			var ptrs []string
			if ptr != "" {
				ptrs = []string{ptr}
			}
			out = append(out, unit{rrs: set.records(ttl, ptrs...), alone: set.alone})
		}
		if n.gm != nil && strings.EqualFold(q.Name, goMicroServices) && !listed[n.svc.Name] &&
			(q.Qtype == dns.TypePTR || q.Qtype == dns.TypeANY) {
			listed[n.svc.Name] = true
			out = append(out, goMicroListing(n.svc.Name, ttl))
		}
	}
	return out
}

// fromSelf reports whether a query came from this registry's own querier.
func (r *mdnsRegistry) fromSelf(from *net.UDPAddr) bool {
	return r.selfPorts[from.Port] && r.localIP(from.IP)
}

func (r *mdnsRegistry) localIP(ip net.IP) bool {
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
