package bench

import (
	"errors"
	"net"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"
)

// CountingTransport is memberlist's NetTransport with a byte counter on
// everything it sends (packets and streams) and a kill switch that makes
// the node go silent the way a crashed process does, without a goodbye:
// its sockets close and it can send nothing, neither packets nor new
// streams (NetTransport's Shutdown alone still lets it dial out, so a
// "killed" node would push its state over TCP and come back to life).
type CountingTransport struct {
	*memberlist.NetTransport
	Sent   atomic.Int64
	killed atomic.Bool
}

// errKilled is what a killed transport's sends return.
var errKilled = errors.New("transport killed")

// NewCountingTransport listens on a free loopback port.
func NewCountingTransport() (*CountingTransport, error) {
	nt, err := memberlist.NewNetTransport(&memberlist.NetTransportConfig{BindAddrs: []string{"127.0.0.1"}, BindPort: 0})
	if err != nil {
		return nil, err
	}
	return &CountingTransport{NetTransport: nt}, nil
}

// WriteTo counts and sends a packet.
func (t *CountingTransport) WriteTo(b []byte, addr string) (time.Time, error) {
	if t.killed.Load() {
		return time.Time{}, errKilled
	}
	t.Sent.Add(int64(len(b)))
	return t.NetTransport.WriteTo(b, addr)
}

// WriteToAddress counts and sends a packet.
func (t *CountingTransport) WriteToAddress(b []byte, addr memberlist.Address) (time.Time, error) {
	if t.killed.Load() {
		return time.Time{}, errKilled
	}
	t.Sent.Add(int64(len(b)))
	return t.NetTransport.WriteToAddress(b, addr)
}

// DialTimeout opens a counted stream.
func (t *CountingTransport) DialTimeout(addr string, d time.Duration) (net.Conn, error) {
	if t.killed.Load() {
		return nil, errKilled
	}
	c, err := t.NetTransport.DialTimeout(addr, d)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, n: &t.Sent}, nil
}

// DialAddressTimeout opens a counted stream.
func (t *CountingTransport) DialAddressTimeout(addr memberlist.Address, d time.Duration) (net.Conn, error) {
	if t.killed.Load() {
		return nil, errKilled
	}
	c, err := t.NetTransport.DialAddressTimeout(addr, d)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, n: &t.Sent}, nil
}

// Kill silences the node for good: no more sends or dials, and its
// sockets close. memberlist's Shutdown later is harmless.
func (t *CountingTransport) Kill() {
	t.killed.Store(true)
	_ = t.NetTransport.Shutdown()
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.n.Add(int64(len(b)))
	return c.Conn.Write(b)
}

// LocalConfig returns a memberlist config of the given base preset on t.
func LocalConfig(base *memberlist.Config, t *CountingTransport) *memberlist.Config {
	base.Transport = t
	base.BindAddr = "127.0.0.1"
	base.BindPort = t.GetAutoBindPort()
	base.AdvertisePort = base.BindPort
	return base
}
