package gossip

import (
	"strings"

	"github.com/hashicorp/memberlist"
)

// How a registration change travels. A change made here is published: a
// packet straight to every member and a broadcast in memberlist's gossip
// queue, or, when larger than a packet, a TCP send to every member. A
// change heard from another member is relayed through the queue. The
// sender goroutine (loops.go) does the straight sends; a burst of them
// is coalesced into one state push (burst.go).

// send is one message for the sender goroutine.
type send struct {
	to       *memberlist.Node // nil: every other member
	msg      []byte
	reliable bool // TCP; otherwise a best-effort packet
}

// relayMult multiplies memberlist's RetransmitMult for registry updates.
// An update reaches the members its origin knows directly, and the rest
// only through relays, each queued for RetransmitMult·⌈log10(N+1)⌉
// packets to random members: memberlist's own count (4 at under 10
// members) left a member unreached by every relay often enough to be
// seen (about 1 registration in 100 on 5 members whose origin had not yet
// heard of one of them, until the next push/pull up to 15 s later). A
// miss falls exponentially with the transmissions; twice as many make it
// about the square of that. Only updates pay for it: memberlist's own
// messages and the steady state are unchanged.
const relayMult = 2

// newQueue is the broadcast queue of a node whose memberlist has
// retransmitMult.
func (g *Registry) newQueue(retransmitMult int) *memberlist.TransmitLimitedQueue {
	return &memberlist.TransmitLimitedQueue{
		// Not ml.NumMembers: memberlist asks its delegate for broadcasts
		// with its node lock held for reading, and the queue calls this
		// with its own lock held; taking the node lock again here waits
		// behind any writer that waits for the first reader, and the
		// three deadlock (seen at 30 members).
		NumNodes:       func() int { return max(1, int(g.memberCount.Load())) },
		RetransmitMult: relayMult * retransmitMult,
	}
}

// publish gossips u, or sends it over TCP to every member if it is too
// large for a packet.
func (g *Registry) publish(u *update) error {
	msg, err := encode(kindUpdates, []*update{u})
	if err != nil {
		return err
	}
	if len(msg) <= g.maxBcast {
		// A packet straight to every member reaches each in one hop;
		// the gossip (relayed by every node that learns of it) and
		// push/pull cover any packet lost on the way.
		g.enqueueSend(send{msg: msg})
		g.queue.QueueBroadcast(&broadcast{name: broadcastName(u), msg: msg})
		return nil
	}
	g.enqueueSend(send{msg: msg, reliable: true})
	return nil
}

// relay queues an update received from another node for gossip.
func (g *Registry) relay(u *update) {
	msg, err := encode(kindUpdates, []*update{u})
	if err != nil || len(msg) > g.maxBcast {
		return
	}
	g.queue.QueueBroadcast(&broadcast{name: broadcastName(u), msg: msg})
}

func (g *Registry) enqueueSend(s send) {
	if s.to == nil && len(g.sends) >= burstBacklog {
		g.coalesce() // a burst: see burst.go
		return
	}
	select {
	case g.sends <- s:
	case <-g.done:
	default:
		if s.to == nil {
			g.coalesce()
			return
		}
		// The sender is far behind: push/pull will carry this message.
		g.logf(logWarn, "gossip: send queue full; a message to %s waits for the next state exchange", s.to.Name)
	}
}

// broadcast is one queued update message. A newer message about the same
// nodes replaces it in the queue instead of waiting behind it.
type broadcast struct {
	name string
	msg  []byte
}

func (b *broadcast) Invalidates(other memberlist.Broadcast) bool {
	o, ok := other.(*broadcast)
	return ok && o.name == b.name
}
func (b *broadcast) Name() string    { return b.name }
func (b *broadcast) Message() []byte { return b.msg }
func (b *broadcast) Finished()       {}

// broadcastName identifies the nodes an update is about.
func broadcastName(u *update) string {
	var sb strings.Builder
	sb.WriteString(u.Origin)
	sb.WriteByte(0)
	sb.WriteString(u.Service.Name)
	sb.WriteByte(0)
	sb.WriteString(u.Service.Version)
	for _, n := range u.Service.Nodes {
		sb.WriteByte(0)
		sb.WriteString(n.Id)
	}
	return sb.String()
}
