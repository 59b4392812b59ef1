package mdns

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/mdns"
	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"github.com/microreg/microreg/registry"
)

func setLoopback(c *net.UDPConn, network string) error {
	if network == "udp6" {
		return ipv6.NewPacketConn(c).SetMulticastLoopback(true)
	}
	return ipv4.NewPacketConn(c).SetMulticastLoopback(true)
}

// announce multicasts a node's records with ttl (0: a goodbye) on every
// socket.
func (r *mdnsRegistry) announce(n *ownNode, ttl time.Duration) {
	msg := new(dns.Msg)
	msg.Response, msg.Authoritative = true, true
	secs := uint32(ttl / time.Second)
	for _, z := range n.zones {
		svcAddr := z.Service + "." + z.Domain
		for _, q := range []dns.Question{
			{Name: svcAddr, Qtype: dns.TypePTR, Qclass: dns.ClassINET},
			{Name: z.Instance + "." + svcAddr, Qtype: dns.TypeANY, Qclass: dns.ClassINET},
		} {
			for _, rr := range z.Records(q) {
				rr.Header().Ttl = secs
				msg.Answer = append(msg.Answer, rr)
			}
		}
	}
	buf, err := msg.Pack()
	if err != nil {
		r.logf("mdns: announcement not packed: %v", err)
		return
	}
	r.send(buf)
}

func (r *mdnsRegistry) send(buf []byte) {
	for _, c := range r.conns {
		group := groupV4
		if c.LocalAddr().(*net.UDPAddr).IP.To4() == nil {
			group = groupV6
		}
		if _, err := c.WriteToUDP(buf, group); err != nil {
			r.logf("mdns: send: %v", err)
		}
	}
}

// listen reads multicast DNS responses and caches the microreg nodes they
// carry, until its socket closes.
func (r *mdnsRegistry) listen(c *net.UDPConn) {
	defer r.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, _, err := c.ReadFromUDP(buf)
		if err != nil {
			return // closed
		}
		r.handlePacket(buf[:n])
	}
}

// handlePacket caches what a packet announces. It never panics on hostile
// input: miekg/dns parses, decodeTXT validates.
func (r *mdnsRegistry) handlePacket(pkt []byte) {
	var msg dns.Msg
	if err := msg.Unpack(pkt); err != nil || !msg.Response {
		return
	}
	for _, rr := range append(msg.Answer, msg.Extra...) {
		txt, ok := rr.(*dns.TXT)
		if !ok {
			continue
		}
		s, ours, err := r.decoded.decode(txt.Txt)
		if !ours {
			continue
		}
		if err != nil {
			r.logf("mdns: %v", err)
			continue
		}
		r.remember(s, time.Duration(txt.Hdr.Ttl)*time.Second)
	}
}

// remember caches a node heard of for ttl, or forgets it on a goodbye.
// A registry's own nodes are kept without expiry.
func (r *mdnsRegistry) remember(s *registry.Service, ttl time.Duration) {
	inst := instanceName(s.Name, s.Version, s.Nodes[0].Id)
	r.mu.Lock()
	_, mine := r.own[inst]
	r.seen[s.Name] = true
	r.mu.Unlock()
	if mine {
		return
	}
	if ttl == 0 {
		_ = r.store.Deregister(s)
		return
	}
	_ = r.store.Register(s, ttl)
}

// announcer re-announces each of this registry's nodes every half its
// record TTL, says goodbye for those whose RegisterTTL ran out, and browses
// every half TTL while anyone watches, until Close.
func (r *mdnsRegistry) announcer() {
	defer r.wg.Done()
	browse := time.NewTicker(max(r.ttl/2, 500*time.Millisecond))
	defer browse.Stop()
	check := time.NewTicker(250 * time.Millisecond)
	defer check.Stop()
	for {
		select {
		case <-r.done:
			return
		case <-check.C:
			r.expireOwn()
			now := time.Now()
			var due []*ownNode
			r.mu.Lock()
			for _, n := range r.own {
				if !now.Before(n.next) {
					n.next = now.Add(n.ttl / 2)
					due = append(due, n)
				}
			}
			r.mu.Unlock()
			for _, n := range due {
				r.announce(n, n.ttl)
			}
		case <-browse.C:
			r.mu.Lock()
			browsing := r.browsing
			r.mu.Unlock()
			if browsing {
				r.browse()
			}
		}
	}
}

func (r *mdnsRegistry) expireOwn() {
	now := time.Now()
	var gone []*ownNode
	r.mu.Lock()
	for inst, n := range r.own {
		if !n.deadline.IsZero() && now.After(n.deadline) {
			delete(r.own, inst)
			gone = append(gone, n)
		}
	}
	r.mu.Unlock()
	for _, n := range gone {
		r.announce(n, 0)
		_ = r.store.Deregister(n.svc)
	}
}

// browse asks every node for its microreg services; the answers reach
// every listener.
func (r *mdnsRegistry) browse() {
	msg := new(dns.Msg)
	msg.SetQuestion(browseType+"."+r.domain+".", dns.TypePTR)
	msg.RecursionDesired = false
	buf, err := msg.Pack()
	if err != nil {
		return
	}
	r.send(buf)
}

// query looks a service up with hashicorp/mdns on every interface and
// returns once answers stop coming for a moment, or at the query timeout.
// The answers are taken from this registry's own listeners, which hear
// the multicast responses and cache them: hashicorp/mdns goes on writing
// to an entry after delivering it (a later packet for the same name), so
// the entries it delivers are drained, never read. (Its query always runs
// to its timeout: it finishes in the background, owned by the registry.)
func (r *mdnsRegistry) query(ctx context.Context, name string) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	w, err := r.store.Watch(registry.WatchService(name))
	if err != nil {
		return
	}
	heard := make(chan struct{}, 1)
	pumped := make(chan struct{})
	go func() {
		defer close(pumped)
		for {
			if _, err := w.Next(); errors.Is(err, registry.ErrWatcherStopped) {
				return
			}
			select {
			case heard <- struct{}{}:
			default:
			}
		}
	}()
	defer func() { w.Stop(); <-pumped }()
	entries := make(chan *mdns.ServiceEntry, 256)
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.wg.Add(len(r.ifaces) + 2)
	r.mu.Unlock()
	done := make(chan struct{})
	var queries sync.WaitGroup
	for _, ifi := range r.ifaces {
		queries.Add(1)
		go func() {
			defer r.wg.Done()
			defer queries.Done()
			_ = mdns.QueryContext(ctx, &mdns.QueryParam{
				Service: serviceType(name), Domain: r.domain, Timeout: r.timeout, Interface: ifi,
				Entries: entries, DisableIPv4: !r.v4, DisableIPv6: !r.v6, Logger: quietLogger,
			})
		}()
	}
	go func() {
		defer r.wg.Done()
		queries.Wait()
		close(done)
	}()
	go func() {
		// Drains the entries until every query has ended.
		defer r.wg.Done()
		for {
			select {
			case <-entries:
			case <-done:
				return
			}
		}
	}()
	const settle = 30 * time.Millisecond
	var quiet <-chan time.Time
	for {
		select {
		case <-heard:
			quiet = time.After(settle)
		case <-quiet:
			return
		case <-ctx.Done():
			return
		}
	}
}

func (r *mdnsRegistry) logf(format string, args ...any) {
	if l := r.Options().Logger; l != nil {
		l.Logf(logWarn, format, args...)
	}
}
