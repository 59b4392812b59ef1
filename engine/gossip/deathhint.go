package gossip

import (
	"encoding/binary"
	"net"

	"github.com/hashicorp/memberlist"
)

// A member that memberlist declares dead takes its services with it
// (forgetOrigin), but memberlist's verdict can reach some members late: a
// member that had heard a newer incarnation of the dead node (it refuted
// an earlier suspicion) ignores the older "dead" message, and waits for
// its own probe of that node to come round, which in a large cluster can
// take the probe interval times the cluster size. So every member that
// sees a death passes the word on in a hint of its own, and a member that
// still thinks the node alive checks for itself, with one TCP connection:
// if the node does not answer, its services go at once; if it answers,
// the hint was wrong and nothing changes.

// encodeDeathHint is [kindDeathHint][epoch, 8 bytes][port, 2 bytes]
// [address length, 1 byte][address][origin]: the member's address travels
// too, because a member can hear of a node's registrations (relayed by
// others) before memberlist tells it of the node, and then has no
// address of its own to check.
func encodeDeathHint(n memberlist.Node, epoch int64) []byte {
	b := make([]byte, 12, 12+len(n.Addr)+len(n.Name))
	b[0] = byte(kindDeathHint)
	binary.BigEndian.PutUint64(b[1:], uint64(epoch))
	binary.BigEndian.PutUint16(b[9:], n.Port)
	b[11] = byte(len(n.Addr))
	b = append(b, n.Addr...)
	return append(b, n.Name...)
}

func decodeDeathHint(msg []byte) (n memberlist.Node, epoch int64, ok bool) {
	if len(msg) < 12 || kindOf(msg) != kindDeathHint {
		return n, 0, false
	}
	epoch = int64(binary.BigEndian.Uint64(msg[1:9]))
	n.Port = binary.BigEndian.Uint16(msg[9:11])
	alen := int(msg[11])
	if (alen != net.IPv4len && alen != net.IPv6len) || len(msg) < 12+alen+1 {
		return n, 0, false
	}
	n.Addr = append(net.IP(nil), msg[12:12+alen]...)
	n.Name = string(msg[12+alen:])
	return n, epoch, true
}

// hintDeath gossips that member n (of epoch) was found dead here, once
// per death. g.mu must not be held: the queue calls back into the
// registry for the member count.
func (g *Registry) hintDeath(n memberlist.Node, epoch int64) {
	g.queue.QueueBroadcast(&broadcast{name: "dead\x00" + n.Name, msg: encodeDeathHint(n, epoch)})
}

// onDeathHint checks a hint against this member's own view: nothing to do
// if the node's registrations are gone here already or the hint is about
// an older life; otherwise one check at a time per node, in the
// background.
func (g *Registry) onDeathHint(msg []byte) {
	peer, epoch, ok := decodeDeathHint(msg)
	if !ok {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || peer.Name == g.name {
		return
	}
	if dead, known := g.dead[peer.Name]; known && epoch <= dead {
		return // memberlist told us already
	}
	if g.checking[peer.Name] || !g.hasEntriesOf(peer.Name) {
		return
	}
	if known, ok := g.members[peer.Name]; ok {
		peer = known // memberlist's address is the one to trust
	}
	g.checking[peer.Name] = true
	g.wg.Add(1)
	go g.checkAlive(peer, epoch)
}

// checkAlive opens one TCP connection to peer; if it fails, peer's
// services are dropped here (with delete events) and the hint passed on.
// memberlist's own verdict, when it comes, finishes the job as usual.
func (g *Registry) checkAlive(peer memberlist.Node, epoch int64) {
	defer g.wg.Done()
	g.mu.Lock()
	ml := g.ml
	g.mu.Unlock()
	err := ml.SendReliable(&peer, []byte{byte(kindPing)})
	g.mu.Lock()
	delete(g.checking, peer.Name)
	if err == nil || g.closed {
		g.mu.Unlock()
		return // alive: the hint was wrong
	}
	g.dropOrigin(peer.Name)
	g.mu.Unlock()
	g.logf(logInfo, "gossip: %s, reported dead, does not answer (%v): dropped its services", peer.Name, err)
	g.hintDeath(peer, epoch)
}

// hasEntriesOf reports whether origin registered anything known here.
// g.mu is held.
func (g *Registry) hasEntriesOf(origin string) bool {
	for k, e := range g.entries {
		if k.origin == origin && e.u.Op == opRegister {
			return true
		}
	}
	return false
}
