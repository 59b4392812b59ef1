package gossip

import (
	"encoding/binary"

	"github.com/hashicorp/memberlist"
)

// delegate is the registry as memberlist sees it: the source of broadcasts
// and push/pull state, and the sink of messages and membership events.
type delegate struct{ g *Registry }

var (
	_ memberlist.Delegate      = delegate{}
	_ memberlist.EventDelegate = delegate{}
)

// NodeMeta carries the node's epoch, so that others can tell a restarted
// node from a late message of its previous life.
func (d delegate) NodeMeta(limit int) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(d.g.epoch))
	return b
}

func epochOf(n *memberlist.Node) int64 {
	if len(n.Meta) < 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(n.Meta))
}

// NotifyMsg receives broadcasts and reliable sends. It must not block.
func (d delegate) NotifyMsg(msg []byte) {
	if len(msg) >= 1 {
		switch kindOf(msg) {
		case kindHello:
			d.g.onHello(string(msg[1:]))
			return
		case kindDeathHint:
			d.g.onDeathHint(msg)
			return
		case kindPing:
			return
		case kindBye:
			d.g.onBye(msg)
			return
		}
	}
	kind, updates, err := decode(msg)
	if err != nil {
		d.g.logf(logWarn, "gossip: dropped a message: %v", err)
		return
	}
	d.g.mu.Lock()
	if d.g.closed {
		d.g.mu.Unlock()
		return
	}
	applied := d.g.applyRemote(updates)
	d.g.mu.Unlock()
	if kind == kindUpdates && len(msg) <= d.g.maxBcast {
		// memberlist gossips only what a node queues itself, a few times
		// to random members: relay what was news here, once, so an update
		// spreads epidemically instead of depending on its origin's few
		// transmissions. Older updates never pass applyRemote, so relaying
		// ends.
		for _, u := range applied {
			d.g.relay(u)
		}
	}
}

func (d delegate) GetBroadcasts(overhead, limit int) [][]byte {
	return d.g.queue.GetBroadcasts(overhead, limit)
}

// LocalState is every live registration this node knows, for push/pull.
func (d delegate) LocalState(join bool) []byte {
	d.g.mu.Lock()
	updates := d.g.snapshot()
	d.g.mu.Unlock()
	msg, err := encode(kindState, updates)
	if err != nil {
		d.g.logf(logError, "gossip: state not sent: %v", err)
		return nil
	}
	return msg
}

func (d delegate) MergeRemoteState(buf []byte, join bool) {
	if len(buf) == 0 {
		return
	}
	d.NotifyMsg(buf)
}

// nodeCopy copies what sending to a member needs.
func nodeCopy(n *memberlist.Node) memberlist.Node {
	return memberlist.Node{Name: n.Name, Addr: append([]byte(nil), n.Addr...), Port: n.Port}
}

func (d delegate) NotifyJoin(n *memberlist.Node) {
	g := d.g
	peer := nodeCopy(n)
	g.mu.Lock()
	g.members[peer.Name] = peer
	g.memberCount.Store(int64(len(g.members)))
	delete(g.failed, peer.Name)
	delete(g.left, peer.Name)
	dead, wasDead := g.dead[n.Name]
	if wasDead && epochOf(n) >= dead {
		delete(g.dead, n.Name)
	}
	closed := g.closed
	g.mu.Unlock()
	if closed || n.Name == g.name {
		return
	}
	// A node seen alive again after we dropped its registrations is asked
	// for them; every node new to us gets ours.
	if wasDead {
		g.sendTo(peer, append([]byte{byte(kindHello)}, g.name...))
	}
	g.sendStateTo(peer)
}

func (d delegate) NotifyLeave(n *memberlist.Node) {
	g := d.g
	g.mu.Lock()
	delete(g.members, n.Name)
	g.memberCount.Store(int64(len(g.members)))
	hint := false
	if !g.closed && n.Name != g.name {
		// Passed on (see deathhint.go). memberlist does not say here
		// whether the node died or left (Node.State is not kept), and a
		// hint about a node that left costs its receivers nothing: they
		// have seen the leave already, or see it soon.
		hint = g.hasEntriesOf(n.Name)
		g.forgetOrigin(n.Name, epochOf(n))
		g.noteFailed(n.Name, n.Addr, n.Port)
	}
	g.mu.Unlock()
	if hint {
		g.hintDeath(nodeCopy(n), epochOf(n))
	}
}

func (d delegate) NotifyUpdate(n *memberlist.Node) {
	peer := nodeCopy(n)
	d.g.mu.Lock()
	defer d.g.mu.Unlock()
	if _, ok := d.g.members[peer.Name]; ok {
		d.g.members[peer.Name] = peer
	}
}
