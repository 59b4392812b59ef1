package gossip

import "github.com/hashicorp/memberlist"

// Bursts. Every change is sent straight to every member as a packet (and
// gossiped); a member registering hundreds of services at once would
// queue hundreds of sends per member, and its sender would fall behind
// and drop them, leaving the rest to gossip rounds and the next push/pull
// (seconds). So once the send queue holds burstBacklog messages, a change
// is no longer queued on its own: the sender is told to send this node's
// whole state (its registrations and recent deregistrations) over TCP to
// every member, once, when it gets to it. The changes made meanwhile ride
// along in that state, and a member applies only what is newer than what
// it has, so nothing is lost or rolled back. A push that ends with
// changes made since it began is followed by another: the changes sent
// on their own while it ran (the queue had drained under burstBacklog)
// went as packets, which a member busy with the burst may drop, and
// without a last push they would wait for push/pull (15 s and more).

// burstBacklog is the send queue's length past which changes are
// coalesced into one push of this node's state.
const burstBacklog = 32

// maxUpdatesPerPush bounds the updates of one state message, well inside
// MaxMessageSize for go-micro-sized services.
const maxUpdatesPerPush = 512

// coalesce asks the sender for a push of this node's state.
func (g *Registry) coalesce() {
	select {
	case g.pushOwn <- struct{}{}:
	default: // already asked
	}
}

// ownState returns this node's own registrations and deregistrations
// still remembered. g.mu is held.
func (g *Registry) ownState() []*update {
	var out []*update
	for k, e := range g.entries {
		if k.origin == g.name {
			out = append(out, e.u)
		}
	}
	return out
}

// pushState sends this node's state to every member over TCP, in
// messages of at most maxUpdatesPerPush updates.
func (g *Registry) pushState() {
	g.mu.Lock()
	began := g.ltime
	own := g.ownState()
	ml := g.ml
	var targets []memberlist.Node
	for name, m := range g.members {
		if name != g.name {
			targets = append(targets, m)
		}
	}
	g.mu.Unlock()
	if len(targets) == 0 {
		return // alone: nobody to tell (a member that joins is sent the state then)
	}
	for len(own) > 0 {
		batch := own[:min(len(own), maxUpdatesPerPush)]
		own = own[len(batch):]
		msg, err := encode(kindUpdates, batch)
		if err != nil {
			g.logf(logError, "gossip: %v", err)
			continue
		}
		for i := range targets {
			if err := ml.SendReliable(&targets[i], msg); err != nil {
				g.logf(logDebug, "gossip: state to %s: %v", targets[i].Name, err)
			}
		}
	}
	g.mu.Lock()
	more := g.ltime != began
	g.mu.Unlock()
	if more {
		g.coalesce() // the burst went on: push once more when it is over
	}
}
