package mdns

import (
	"fmt"
	"net"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

var (
	groupV4 = &net.UDPAddr{IP: net.IPv4(224, 0, 0, 251), Port: mdnsPort}
	groupV6 = &net.UDPAddr{IP: net.ParseIP("ff02::fb"), Port: mdnsPort}
)

const (
	mdnsPort = 5353
	// readBuffer is asked of the kernel for every socket; it may grant
	// less (net.core.rmem_max).
	readBuffer = 4 << 20
)

// link is the registry on one interface and address family: a listener on
// port 5353 that hears queries and multicast answers (and answers from it,
// as RFC 6762 says a responder does), and a querier on an ephemeral port
// that asks, so that every responder, go-micro's included, answers it by
// unicast with the question echoed.
type link struct {
	ifi      *net.Interface
	network  string // udp4 or udp6
	group    *net.UDPAddr
	listener *net.UDPConn // port 5353, in the group
	querier  *net.UDPConn // ephemeral port
}

// openLink opens both sockets of a link.
func openLink(ifi *net.Interface, network string) (*link, error) {
	group := groupV4
	if network == "udp6" {
		group = groupV6
	}
	l := &link{ifi: ifi, network: network, group: group}
	var err error
	l.listener, err = net.ListenMulticastUDP(network, ifi, group)
	if err != nil {
		return nil, fmt.Errorf("listening on %s (%s): %w", ifi.Name, network, err)
	}
	// Best effort: a kernel without the option (IPv6's came in Linux
	// 4.20) hears other interfaces' traffic too, as before.
	_ = onlyJoinedGroups(l.listener, network)
	unspecified := net.IPv4zero
	if network == "udp6" {
		unspecified = net.IPv6unspecified
	}
	l.querier, err = net.ListenUDP(network, &net.UDPAddr{IP: unspecified})
	if err != nil {
		_ = l.listener.Close()
		return nil, fmt.Errorf("querier on %s (%s): %w", ifi.Name, network, err)
	}
	for _, c := range []*net.UDPConn{l.listener, l.querier} {
		_ = c.SetReadBuffer(readBuffer)
		// ListenMulticastUDP turns multicast loopback off, and then no
		// other process on this host would hear this one.
		if err := multicastOn(c, network, ifi); err != nil {
			l.close()
			return nil, fmt.Errorf("multicast on %s (%s): %w", ifi.Name, network, err)
		}
	}
	return l, nil
}

func multicastOn(c *net.UDPConn, network string, ifi *net.Interface) error {
	if network == "udp6" {
		p := ipv6.NewPacketConn(c)
		if err := p.SetMulticastInterface(ifi); err != nil {
			return err
		}
		_ = p.SetMulticastHopLimit(255)
		return p.SetMulticastLoopback(true)
	}
	p := ipv4.NewPacketConn(c)
	if err := p.SetMulticastInterface(ifi); err != nil {
		return err
	}
	_ = p.SetMulticastTTL(255)
	return p.SetMulticastLoopback(true)
}

func (l *link) close() {
	if l.listener != nil {
		_ = l.listener.Close()
	}
	if l.querier != nil {
		_ = l.querier.Close()
	}
}

// querierPort is the ephemeral port this link asks from.
func (l *link) querierPort() int { return l.querier.LocalAddr().(*net.UDPAddr).Port }

// received is one datagram read off a link.
type received struct {
	buf  []byte
	from *net.UDPAddr
	link *link // nil: read by the querier, which takes only answers
}

// read reads c until it closes, handing each datagram to the handler
// through r.in. The reading waits only when inboundQueue datagrams already
// wait, so a burst drains from the socket's buffer as fast as it arrives.
func (r *Registry) read(c *net.UDPConn, l *link) {
	defer r.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, from, err := c.ReadFromUDP(buf)
		if err != nil {
			return // closed
		}
		r.inflight.Add(1)
		select {
		case r.in <- received{buf: append([]byte(nil), buf[:n]...), from: from, link: l}:
		case <-r.done:
			r.inflight.Add(-1)
			return
		}
	}
}
