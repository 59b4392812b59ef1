package gossip

import (
	"time"

	"github.com/hashicorp/memberlist"
)

// setSeeds sets the members to join and wakes the joiner.
func (g *gossipRegistry) setSeeds(addrs []string) {
	if len(addrs) > 0 {
		g.mu.Lock()
		g.seeds = append([]string(nil), addrs...)
		g.mu.Unlock()
	}
	select {
	case g.kick <- struct{}{}:
	default:
	}
}

// joinNow joins addrs once before returning, so that a node given members
// to join at construction or through Init has their state (memberlist's
// join is a push/pull) by the time the call returns. A failure is left to
// the joiner, which keeps trying in the background.
func (g *gossipRegistry) joinNow(addrs []string) {
	if len(addrs) == 0 {
		return
	}
	g.mu.Lock()
	ml := g.ml
	g.mu.Unlock()
	if ml == nil {
		return
	}
	if _, err := ml.Join(addrs); err != nil {
		g.logf(logDebug, "gossip: joining %v: %v (the joiner keeps trying)", addrs, err)
	}
}

// joiner joins the seeds when told to, and again whenever this node finds
// itself alone (the seeds were not up yet, or the cluster lost it), with
// backoff, until Close.
func (g *gossipRegistry) joiner() {
	defer g.wg.Done()
	const minWait, maxWait = 100 * time.Millisecond, 10 * time.Second
	wait, force := minWait, false
	for {
		g.mu.Lock()
		seeds, ml := g.seeds, g.ml
		g.mu.Unlock()
		if len(seeds) > 0 && (force || ml.NumMembers() <= 1) {
			n, err := ml.Join(seeds)
			switch {
			case err != nil && n == 0:
				g.logf(logWarn, "gossip: joining %v: %v (retrying in %v)", seeds, err, wait)
				wait = min(wait*2, maxWait)
			default:
				force, wait = false, minWait
			}
		}
		timer := time.NewTimer(wait)
		select {
		case <-g.done:
			timer.Stop()
			return
		case <-g.kick:
			timer.Stop()
			force, wait = true, minWait
		case <-timer.C:
		}
	}
}

// sender delivers updates straight to members, as packets or, when too
// large to gossip, over memberlist's reliable (TCP) channel, until Close.
func (g *gossipRegistry) sender() {
	defer g.wg.Done()
	for {
		select {
		case <-g.done:
			return
		case s := <-g.sends:
			g.mu.Lock()
			ml := g.ml
			var targets []*memberlist.Node
			if s.to != nil {
				targets = []*memberlist.Node{s.to}
			} else {
				for _, m := range g.members {
					targets = append(targets, &m)
				}
			}
			g.mu.Unlock()
			for _, n := range targets {
				if n.Name == g.name {
					continue
				}
				send := ml.SendBestEffort
				if s.reliable {
					send = ml.SendReliable
				}
				if err := send(n, s.msg); err != nil {
					g.logf(logDebug, "gossip: send to %s: %v", n.Name, err)
				}
			}
		}
	}
}

// sendTo queues msg for one member.
func (g *gossipRegistry) sendTo(n memberlist.Node, msg []byte) {
	g.enqueueSend(send{to: &n, msg: msg, reliable: true})
}

// sendStateTo sends this node's own registrations to one member.
func (g *gossipRegistry) sendStateTo(n memberlist.Node) {
	g.mu.Lock()
	all := g.snapshot()
	g.mu.Unlock()
	own := all[:0]
	for _, u := range all {
		if u.Origin == g.name {
			own = append(own, u)
		}
	}
	if len(own) == 0 {
		return
	}
	msg, err := encode(kindUpdates, own)
	if err != nil {
		g.logf(logError, "gossip: %v", err)
		return
	}
	g.sendTo(n, msg)
}

// onHello answers a member that asks for this node's registrations.
func (g *gossipRegistry) onHello(from string) {
	g.mu.Lock()
	n, ok := g.members[from]
	g.mu.Unlock()
	if ok {
		g.sendStateTo(n)
	}
}
