package mdns

import (
	"bytes"
	"encoding/binary"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/microreg/microreg/engine"
)

// A node's instance name (dnssd.go) is unique by construction unless its
// id had to be cut, or another responder on the link happens to use it.
// Conflicts are resolved as RFC 6762 §9 says, with §8.2's tie-break: a
// response that carries an SRV record for one of this registry's instance
// names pointing at another host is a conflict; the record whose data is
// lexicographically later wins. The winner announces its records again at
// once, so the loser hears them too; the loser says goodbye for the name
// and serves the node as "<name> (2)", "(3)", ... from then on, across
// re-registrations. A node keeps its identity through a rename: what
// microreg reads is the node in its TXT, never its instance name, so
// nobody sees it leave.
//
// The node is announced at once, without RFC 6762 §8.1's three probes
// (750 ms): its name holds the node id, so a conflict is rare, and is
// resolved when it happens.

// previous returns the number the node of one (a one-node service) is
// served with now, since a re-registration keeps a renamed node's name,
// and the time a registration of it made now is made at: later than the
// one before, even if the clock stepped back (sign.go).
func (r *Registry) previous(one *engine.Service) (conflict int, at int64) {
	at = time.Now().UnixNano()
	r.mu.Lock()
	defer r.mu.Unlock()
	if own := r.own[nodeLabel(one.Name, one.Version, one.Nodes[0].Id)]; own != nil {
		return own.conflict, max(at, own.at+1)
	}
	return 0, at
}

// checkConflict resolves a conflict srv makes with one of this registry's
// instance names, if it makes one. A signed registry (Keys) does not: an
// SRV record carries no signature, and a host without the key must not be
// able to make its nodes change names.
func (r *Registry) checkConflict(srv *dns.SRV) {
	if srv.Hdr.Ttl == 0 || r.keyring() != nil {
		return
	}
	r.mu.Lock()
	own := r.names[strings.ToLower(srv.Hdr.Name)]
	if own == nil || strings.EqualFold(srv.Target, own.mr.target) {
		r.mu.Unlock()
		return
	}
	ours := srvData(10, 1, own.mr.port, own.mr.target)
	theirs := srvData(srv.Priority, srv.Weight, srv.Port, srv.Target)
	if bytes.Compare(ours, theirs) > 0 {
		// Ours wins: say so now, so that the other responder hears it.
		own.next = time.Now()
		r.mu.Unlock()
		return
	}
	renamed, err := r.renameLocked(own)
	r.mu.Unlock()
	if err != nil {
		r.logf("mdns: %s node %s: instance name %q is another host's, and renaming it failed: %v", own.svc.Name, own.svc.Nodes[0].Id, own.mr.label, err)
		return
	}
	r.logf("mdns: %s node %s: instance name %q is another host's (RFC 6762 §9); now %q", own.svc.Name, own.svc.Nodes[0].Id, own.mr.label, renamed.mr.label)
	r.goodbyeName(own, renamed)
}

// renameLocked serves own under the next numbered instance name in its
// place, to be announced now and again a second later.
func (r *Registry) renameLocked(own *ownNode) (*ownNode, error) {
	conflict := max(own.conflict, 1) + 1
	mr, err := microregRecords(own.svc, r.domain, own.mr.ip, int(own.mr.port), conflict, r.keyring(), own.at)
	if err != nil {
		return nil, err
	}
	renamed := *own
	renamed.mr, renamed.conflict = mr, conflict
	renamed.next = time.Now().Add(min(time.Second, own.ttl/2))
	n := own.svc.Nodes[0]
	r.setOwnLocked(nodeLabel(own.svc.Name, own.svc.Version, n.Id), &renamed)
	return &renamed, nil
}

// goodbyeName announces renamed and says goodbye for old's instance name:
// its PTRs and SRV with TTL 0, not its TXT, which carries the node and
// would tell microreg's readers the node left.
func (r *Registry) goodbyeName(old, renamed *ownNode) {
	rrs := old.mr.records(0, old.mr.ptrs...)
	bye := rrs[:0]
	for _, rr := range rrs {
		switch rr.(type) {
		case *dns.PTR, *dns.SRV:
			bye = append(bye, rr)
		}
	}
	msgs := pack(dns.MsgHdr{Response: true, Authoritative: true}, nil, []unit{{rrs: bye}}, maxMessage)
	var out []packet
	for _, l := range r.links {
		for _, b := range msgs {
			out = append(out, packet{conn: l.listener, to: l.group, buf: b})
		}
	}
	r.out.push(out...)
	r.announce([]*ownNode{renamed}, false)
}

// srvData is an SRV record's data as it travels, uncompressed: what RFC
// 6762 §8.2 compares.
func srvData(priority, weight, port uint16, target string) []byte {
	b := make([]byte, 6, 6+len(target)+2)
	binary.BigEndian.PutUint16(b[0:], priority)
	binary.BigEndian.PutUint16(b[2:], weight)
	binary.BigEndian.PutUint16(b[4:], port)
	name := make([]byte, len(target)+2)
	n, err := dns.PackDomainName(dns.Fqdn(target), name, 0, nil, false)
	if err != nil {
		return append(b, target...)
	}
	return append(b, name[:n]...)
}
