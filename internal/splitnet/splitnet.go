// Package splitnet is a network of memberlist transports on loopback that
// a test can partition: two sets of members that cannot reach each other,
// both ways, UDP and TCP, until the network is healed. Every member's
// transport is memberlist's own NetTransport with a filter on what it
// sends: a packet to the other side is dropped, a connection to it is
// refused. (Sending is enough: both sides' transports filter.)
package splitnet

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"
)

// ErrPartitioned is the error of a connection across the partition.
var ErrPartitioned = errors.New("splitnet: partitioned")

// Network is a set of members, some of which may be cut off from others.
type Network struct {
	mu   sync.RWMutex
	side map[string]int // member address -> side (1 or 2) while split
}

// New returns a whole network.
func New() *Network { return &Network{} }

// Split cuts the members at addresses a from those at addresses b. A
// member on neither list reaches everyone.
func (n *Network) Split(a, b []string) {
	side := map[string]int{}
	for _, addr := range a {
		side[addr] = 1
	}
	for _, addr := range b {
		side[addr] = 2
	}
	n.mu.Lock()
	n.side = side
	n.mu.Unlock()
}

// Heal makes the network whole again.
func (n *Network) Heal() {
	n.mu.Lock()
	n.side = nil
	n.mu.Unlock()
}

// blocked reports whether from cannot reach to.
func (n *Network) blocked(from, to string) bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	a, b := n.side[from], n.side[to]
	return a != 0 && b != 0 && a != b
}

// Transport is one member's transport on the network.
type Transport struct {
	*memberlist.NetTransport
	net  *Network
	addr string // host:port this member listens on
	// Sent counts the bytes this member sent: packets, and what it wrote
	// on the connections it opened.
	Sent atomic.Int64
}

// countingConn counts what is written on a connection.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// Transport listens on a free port of 127.0.0.1; put it in a
// memberlist.Config's Transport (with BindPort and AdvertisePort 0) and
// use Addr to name the member in Split.
func (n *Network) Transport() (*Transport, error) {
	nt, err := memberlist.NewNetTransport(&memberlist.NetTransportConfig{BindAddrs: []string{"127.0.0.1"}, BindPort: 0})
	if err != nil {
		return nil, err
	}
	return &Transport{NetTransport: nt, net: n, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(nt.GetAutoBindPort()))}, nil
}

// Use puts t in cfg as its transport, with the ports memberlist would
// otherwise bind and advertise left to t, and returns cfg.
func (t *Transport) Use(cfg *memberlist.Config) *memberlist.Config {
	cfg.Transport = t
	cfg.BindPort, cfg.AdvertisePort = 0, 0
	return cfg
}

// Addr is the host:port the member listens on.
func (t *Transport) Addr() string { return t.addr }

// WriteTo drops a packet to the other side of a partition.
func (t *Transport) WriteTo(b []byte, addr string) (time.Time, error) {
	if t.net.blocked(t.addr, addr) {
		return time.Now(), nil
	}
	t.Sent.Add(int64(len(b)))
	return t.NetTransport.WriteTo(b, addr)
}

// WriteToAddress is WriteTo for memberlist's node-aware calls.
func (t *Transport) WriteToAddress(b []byte, a memberlist.Address) (time.Time, error) {
	return t.WriteTo(b, a.Addr)
}

// DialTimeout refuses a connection to the other side of a partition.
func (t *Transport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	if t.net.blocked(t.addr, addr) {
		return nil, fmt.Errorf("dial %s: %w", addr, ErrPartitioned)
	}
	c, err := t.NetTransport.DialTimeout(addr, timeout)
	if err != nil {
		return nil, err
	}
	return countingConn{c, &t.Sent}, nil
}

// DialAddressTimeout is DialTimeout for memberlist's node-aware calls.
func (t *Transport) DialAddressTimeout(a memberlist.Address, timeout time.Duration) (net.Conn, error) {
	return t.DialTimeout(a.Addr, timeout)
}

var _ memberlist.NodeAwareTransport = (*Transport)(nil)
