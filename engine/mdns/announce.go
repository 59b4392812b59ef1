package mdns

import (
	"time"

	"github.com/miekg/dns"
)

// tick is how often the announcer looks for work.
const tick = 250 * time.Millisecond

// announce multicasts nodes' records with their TTL, or with TTL 0 for a
// goodbye, on every link, in both wire formats: microreg's packed into as
// few messages as fit, go-micro's one node to a message, as its watchers
// read them.
func (r *Registry) announce(nodes []*ownNode, goodbye bool) {
	if len(nodes) == 0 {
		return
	}
	units := make([]unit, 0, 2*len(nodes))
	for _, n := range nodes {
		secs := uint32(n.ttl / time.Second)
		if goodbye {
			secs = 0
		}
		for _, set := range n.sets() {
			units = append(units, unit{rrs: set.records(secs, set.ptrs...), alone: set.alone})
		}
	}
	msgs := pack(dns.MsgHdr{Response: true, Authoritative: true}, nil, units, maxMessage)
	var out []packet
	for _, l := range r.links {
		for _, b := range msgs {
			out = append(out, packet{conn: l.listener, to: l.group, buf: b})
		}
	}
	r.out.push(out...)
}

// announcer announces each of this registry's nodes a second after it was
// first announced (RFC 6762 §8.3: twice, a second apart, which also
// repairs a lost first announcement) and then every half its record TTL;
// says goodbye for nodes whose RegisterTTL ran out; asks go-micro's nodes
// again before they expire; and browses every half TTL while anyone
// watches, until Close.
func (r *Registry) announcer() {
	defer r.wg.Done()
	check := time.NewTicker(tick)
	defer check.Stop()
	nextBrowse := time.Now().Add(max(r.ttl/2, 500*time.Millisecond))
	for {
		select {
		case <-r.done:
			return
		case now := <-check.C:
			r.expireOwn(now)
			var due []*ownNode
			r.mu.Lock()
			for _, n := range r.own {
				if !now.Before(n.next) {
					n.next = now.Add(n.ttl / 2)
					due = append(due, n)
				}
			}
			browsing := r.browsing
			r.mu.Unlock()
			r.announce(due, false)
			r.refreshGoMicro(now)
			if browsing && !now.Before(nextBrowse) {
				nextBrowse = now.Add(max(r.ttl/2, 500*time.Millisecond))
				r.ask(r.browseNames()...)
			}
		}
	}
}

// expireOwn says goodbye for the nodes whose RegisterTTL ran out.
func (r *Registry) expireOwn(now time.Time) {
	var gone []*ownNode
	r.mu.Lock()
	for _, n := range r.own {
		if !n.deadline.IsZero() && now.After(n.deadline) {
			r.deleteOwnLocked(n)
			gone = append(gone, n)
		}
	}
	r.mu.Unlock()
	r.announce(gone, true)
	for _, n := range gone {
		_ = r.store.Deregister(n.svc)
	}
}
