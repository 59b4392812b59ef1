package mdns

import (
	"net"
	"sync"
	"time"
)

// Pacing of everything a registry sends. A burst (hundreds of services
// registered at once, a browse answered with all of them) leaves at no
// more than sendRate, after an initial sendBurst, so that the receive
// buffers of the listeners on the link (about 200 KB by default on Linux)
// are not overrun. Each datagram counts its size plus sendOverhead, about
// what a kernel charges a socket buffer for a datagram beyond its payload.
const (
	sendRate     = 4 << 20 // bytes a second
	sendBurst    = 96 << 10
	sendOverhead = 1024
	// closeFlush bounds how long Close waits for queued goodbyes.
	closeFlush = 3 * time.Second
)

// packet is one datagram to send.
type packet struct {
	conn *net.UDPConn
	to   *net.UDPAddr
	buf  []byte
}

// sender sends queued packets in order, paced, from one goroutine.
type sender struct {
	logf func(format string, args ...any)

	mu     sync.Mutex
	queue  []packet
	wake   chan struct{} // a token: something was queued
	closed bool
	done   chan struct{}
}

func newSender(logf func(string, ...any)) *sender {
	s := &sender{logf: logf, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go s.run()
	return s
}

// push queues packets; after close it drops them.
func (s *sender) push(p ...packet) {
	s.mu.Lock()
	if !s.closed {
		s.queue = append(s.queue, p...)
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// close sends what is queued (for at most closeFlush) and stops.
func (s *sender) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	<-s.done
}

func (s *sender) run() {
	defer close(s.done)
	tokens, last := float64(sendBurst), time.Now()
	var flushBy time.Time
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return
			}
			<-s.wake
			continue
		}
		p := s.queue[0]
		s.queue[0] = packet{}
		s.queue = s.queue[1:]
		closed := s.closed
		s.mu.Unlock()
		if closed {
			if flushBy.IsZero() {
				flushBy = time.Now().Add(closeFlush)
			} else if time.Now().After(flushBy) {
				s.drop()
				return
			}
		}
		now := time.Now()
		tokens = min(float64(sendBurst), tokens+now.Sub(last).Seconds()*sendRate)
		last = now
		cost := float64(len(p.buf) + sendOverhead)
		if tokens < cost {
			wait := time.Duration((cost - tokens) / sendRate * float64(time.Second))
			time.Sleep(wait) // pacing: the bucket refills at sendRate
			now = time.Now()
			tokens += now.Sub(last).Seconds() * sendRate
			last = now
		}
		tokens -= cost
		if _, err := p.conn.WriteToUDP(p.buf, p.to); err != nil {
			s.logf("mdns: send to %v: %v", p.to, err)
		}
	}
}

func (s *sender) drop() {
	s.mu.Lock()
	n := len(s.queue)
	s.queue = nil
	s.mu.Unlock()
	s.logf("mdns: %d packets not sent before close", n)
}
