package gossip

import (
	"encoding/binary"

	"github.com/hashicorp/memberlist"
)

// A member that closes says so itself before memberlist's leave: a bye
// straight to every member it knows, so each drops its services at once
// and knows it left. Without it, a member could hear of the departure
// first as a death hint relayed by another (which cannot tell a leave
// from a death) and check the leaver, already gone, for itself.

// encodeBye is [kindBye][epoch, 8 bytes][name].
func encodeBye(name string, epoch int64) []byte {
	b := make([]byte, 9, 9+len(name))
	b[0] = byte(kindBye)
	binary.BigEndian.PutUint64(b[1:], uint64(epoch))
	return append(b, name...)
}

func decodeBye(msg []byte) (name string, epoch int64, ok bool) {
	if len(msg) < 10 || kindOf(msg) != kindBye {
		return "", 0, false
	}
	return string(msg[9:]), int64(binary.BigEndian.Uint64(msg[1:9])), true
}

// sayBye sends the bye to every member known, best effort (one UDP packet
// each: memberlist's own leave follows and covers a lost one).
func (g *Registry) sayBye(ml *memberlist.Memberlist) {
	g.mu.Lock()
	peers := make([]memberlist.Node, 0, len(g.members))
	for name, n := range g.members {
		if name != g.name {
			peers = append(peers, n)
		}
	}
	msg := encodeBye(g.name, g.epoch)
	g.mu.Unlock()
	for i := range peers {
		_ = ml.SendBestEffort(&peers[i], msg)
	}
}

// onBye drops the registrations of a member that said it leaves, and
// remembers it left, so that hints of its death change nothing.
func (g *Registry) onBye(msg []byte) {
	name, epoch, ok := decodeBye(msg)
	if !ok {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || name == g.name {
		return
	}
	g.left[name] = true
	delete(g.failed, name)
	g.forgetOrigin(name, epoch)
}
