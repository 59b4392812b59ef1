package gossip

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/memberlist"
)

// setSeeds sets the members to join and wakes the joiner.
func (g *Registry) setSeeds(addrs []string) {
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
// join is a push/pull) by the time the call returns. A member that does
// not answer is left to the joiner, which keeps trying in the
// background; if every member refused this node (another cluster name or
// key), the error wraps ErrRejected (and the joiner still tries, for a
// key rotation under way).
func (g *Registry) joinNow(addrs []string) error {
	if len(addrs) == 0 {
		return nil
	}
	g.mu.Lock()
	ml := g.ml
	g.mu.Unlock()
	if ml == nil {
		return nil
	}
	n, err := ml.Join(addrs)
	g.noteJoin(addrs, n, err)
	if err == nil || n > 0 {
		return nil
	}
	if rejected(err) {
		err = fmt.Errorf("%w: %v: %w", ErrRejected, addrs, err)
		g.logf(logError, "%v (this node's cluster name is %q; check ClusterName and SecretKeys on both sides)", err, g.label)
		return err
	}
	g.logf(logDebug, "gossip: joining %v: %v (the joiner keeps trying)", addrs, err)
	return nil
}

// ErrRejected wraps the error of a join that every member given refused:
// it answered, then dropped the connection, as a member of a cluster with
// another name (ClusterName) or key (SecretKeys) does.
var ErrRejected = errors.New("gossip: refused by the members to join (another cluster name or key?)")

// rejected reports whether a join failed because the member answered and
// then dropped the connection (memberlist says no more), rather than
// because nobody answered.
func rejected(err error) bool {
	s := err.Error()
	for _, sign := range []string{"EOF", "connection reset", "broken pipe", "decrypt", "encrypt", "label"} {
		if strings.Contains(s, sign) {
			return true
		}
	}
	return false
}

// joiner joins the seeds when told to, and again whenever this node finds
// itself alone (the seeds were not up yet, or the cluster lost it), with
// backoff, until Close.
func (g *Registry) joiner() {
	defer g.wg.Done()
	const minWait, maxWait = 100 * time.Millisecond, 10 * time.Second
	wait, force := minWait, false
	for {
		g.mu.Lock()
		seeds, ml := g.seeds, g.ml
		g.mu.Unlock()
		if len(seeds) > 0 && (force || ml.NumMembers() <= 1) {
			n, err := ml.Join(seeds)
			g.noteJoin(seeds, n, err)
			switch {
			case err != nil && n == 0 && rejected(err):
				g.logf(logError, "gossip: joining %v: %v: refused; a member of another cluster name or key? (this node's cluster name is %q; retrying in %v)", seeds, err, g.label, wait)
				wait = min(wait*2, maxWait)
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
func (g *Registry) sender() {
	defer g.wg.Done()
	for {
		select {
		case <-g.done:
			return
		case <-g.pushOwn:
			g.pushState()
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
func (g *Registry) sendTo(n memberlist.Node, msg []byte) {
	g.enqueueSend(send{to: &n, msg: msg, reliable: true})
}

// sendStateTo sends this node's own registrations to one member.
func (g *Registry) sendStateTo(n memberlist.Node) {
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
func (g *Registry) onHello(from string) {
	g.mu.Lock()
	n, ok := g.members[from]
	g.mu.Unlock()
	if ok {
		g.sendStateTo(n)
	}
}
