package mdns

import (
	"errors"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/microreg/microreg/engine"
)

// handlePacket handles one datagram: a query heard on a link's listener is
// answered, a response (an answer or an announcement, in either wire
// format) is cached. It never panics on hostile input: miekg/dns parses,
// the decoders validate.
func (r *Registry) handlePacket(pkt []byte, in received) {
	var msg dns.Msg
	if err := msg.Unpack(pkt); err != nil {
		return
	}
	if !msg.Response {
		if in.link != nil && in.from != nil {
			r.respond(&msg, in.from, in.link)
		}
		return
	}
	if r.learn(&msg, in.from) {
		r.pulse()
	}
}

// learn caches the nodes a response from from carries (on a signed
// registry, only those signed with one of its keys: sign.go), and asks
// go-micro's responders for the services a go-micro listing names. It
// reports whether the response held a node.
func (r *Registry) learn(msg *dns.Msg, from *net.UDPAddr) bool {
	rrs := append(msg.Answer, msg.Extra...)
	var recs *messageRecords
	heard := false
	var listed []string
	for _, rr := range rrs {
		switch rr := rr.(type) {
		case *dns.TXT:
			if keys := r.keyring(); keys != nil && isMicroreg(rr.Txt) {
				purpose := purposeLive
				if rr.Hdr.Ttl == 0 {
					purpose = purposeBye
				}
				if why := keys.verify(purpose, rr.Txt); why != "" {
					r.drop(why, rr, from)
					continue
				}
			}
			p, ours, err := r.decoded.decode(rr.Txt)
			if ours {
				heard = true
				if err != nil {
					r.logf("mdns: %v", err)
					continue
				}
				if !r.fresh(p, rr.Hdr.Ttl == 0) {
					r.drop(dropReplay, rr, from)
					continue
				}
				r.remember(p.Service, time.Duration(rr.Hdr.Ttl)*time.Second, false, from)
				continue
			}
			if r.keyring() != nil {
				continue // go-micro's format carries no signature
			}
			if !r.goMicro || !strings.HasSuffix(strings.ToLower(rr.Hdr.Name), "."+goMicroDomain) ||
				strings.HasSuffix(strings.ToLower(rr.Hdr.Name), "."+goMicroServices) {
				continue
			}
			if recs == nil {
				idx := indexRecords(rrs)
				recs = &idx
			}
			s, ok, err := goMicroNode(rr.Hdr.Name, rr.Txt, *recs)
			if err != nil {
				r.logf("mdns: %v", err)
				continue
			}
			if ok {
				heard = true
				r.remember(s, time.Duration(rr.Hdr.Ttl)*time.Second, true, from)
			}
		case *dns.SRV:
			r.checkConflict(rr)
		case *dns.PTR:
			if r.goMicro && strings.EqualFold(rr.Hdr.Name, goMicroServices) && rr.Hdr.Ttl > 0 &&
				strings.HasSuffix(strings.ToLower(rr.Ptr), "."+goMicroServices) {
				heard = true
				listed = append(listed, rr.Ptr[:len(rr.Ptr)-len(goMicroServices)-1])
			}
		}
	}
	if len(listed) > 0 {
		r.askGoMicro(listed)
	}
	return heard
}

// remember caches a node heard of from from for ttl, or forgets it on a
// goodbye. A registry's own nodes are never cached from the network: it
// knows them. A go-micro node is asked for again before its records
// expire, since go-micro never announces a node after its first seconds.
// A host over its limit of nodes, or a view over its own, has the node
// refused (limits.go).
func (r *Registry) remember(s *engine.Service, ttl time.Duration, goMicro bool, from *net.UDPAddr) {
	inst := nodeLabel(s.Name, s.Version, s.Nodes[0].Id)
	host := hostOf(from)
	r.mu.Lock()
	if _, mine := r.own[inst]; mine {
		r.seen[s.Name] = true
		r.mu.Unlock()
		return
	}
	if ttl == 0 {
		r.forgetLocked(host, inst)
	} else if !r.roomLocked(host, inst, ttl) {
		r.mu.Unlock()
		r.refuse(host, s.Name)
		return
	}
	r.seen[s.Name] = true
	if goMicro && ttl > 0 {
		r.refresh[s.Name] = time.Now().Add(ttl / 2)
	}
	if r.heardNodes == nil {
		r.heardNodes = map[string]bool{}
	}
	r.heardNodes[inst] = goMicro
	r.mu.Unlock()
	if ttl == 0 {
		_ = r.store.Deregister(s)
		return
	}
	if err := r.store.Register(s, ttl); errors.Is(err, engine.ErrLimit) {
		r.mu.Lock()
		r.forgetLocked(host, inst)
		r.mu.Unlock()
		r.refuseView(host, err)
	}
}

// pulse wakes whoever waits for answers to settle.
func (r *Registry) pulse() {
	r.heardMu.Lock()
	close(r.heard)
	r.heard = make(chan struct{})
	r.heardMu.Unlock()
}

// heardChan is closed at the next response that carries a node.
func (r *Registry) heardChan() <-chan struct{} {
	r.heardMu.Lock()
	defer r.heardMu.Unlock()
	return r.heard
}
