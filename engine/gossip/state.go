package gossip

import (
	"errors"
	"time"

	"github.com/microreg/microreg/engine"
)

// entryKey names one node of one service version as registered by one
// origin.
type entryKey struct{ origin, name, version, id string }

// entry is the newest update seen for a key: a live registration (update
// set, Op register) or a tombstone (Op deregister) that keeps an older,
// delayed registration from coming back.
type entry struct {
	u       *update   // single-node update
	expires time.Time // own registrations with a TTL; zero otherwise
	seenAt  time.Time // for dropping old tombstones
}

// tombstoneTTL is how long a deregistration is remembered.
const tombstoneTTL = 10 * time.Minute

// split turns an update of several nodes into one update per node (see
// engine.PerNode).
func split(u *update) []*update {
	per := engine.PerNode(u.Service)
	out := make([]*update, len(per))
	for i, s := range per {
		one := *u
		one.Service = s
		out[i] = &one
	}
	return out
}

func keyOf(u *update) entryKey {
	return entryKey{u.Origin, u.Service.Name, u.Service.Version, u.Service.Nodes[0].Id}
}

// applyRemote applies updates from other nodes to the state and the
// store, dropping any that are not newer than what is known for their key,
// that come from this node, or from an incarnation of an origin known to
// be dead. It returns the single-node updates it applied, for relaying.
// g.mu is held.
func (g *Registry) applyRemote(updates []*update) (applied []*update) {
	now := g.store.Clock().Now()
	for _, u := range updates {
		if u.Origin == g.name {
			continue // this node's own state is authoritative
		}
		if dead, ok := g.dead[u.Origin]; ok && u.Epoch <= dead {
			continue
		}
		for _, one := range split(u) {
			k := keyOf(one)
			old, ok := g.entries[k]
			if ok && !one.newer(old.u.Epoch, old.u.LTime) {
				continue
			}
			if !ok && g.perOrigin[u.Origin] >= g.maxPerMember {
				g.refuse(u.Origin, one.Service.Name)
				continue
			}
			g.putEntry(k, &entry{u: one, seenAt: now})
			applied = append(applied, one)
			var err error
			if one.Op == opRegister {
				err = g.store.Register(one.Service, time.Duration(one.TTL))
			} else {
				err = g.store.Deregister(one.Service)
			}
			if errors.Is(err, engine.ErrLimit) {
				g.refuseView(u.Origin, err)
			} else if err != nil {
				g.logf(logWarn, "gossip: update from %s not applied: %v", u.Origin, err)
			}
		}
	}
	return applied
}

// forgetOrigin drops every registration of a node that left or died, with
// delete events, and remembers its epoch as dead. g.mu is held.
func (g *Registry) forgetOrigin(origin string, epoch int64) {
	if old, ok := g.dead[origin]; !ok || epoch > old {
		g.dead[origin] = epoch
	}
	g.dropOrigin(origin)
}

// dropOrigin drops every registration of origin, with delete events.
// g.mu is held.
func (g *Registry) dropOrigin(origin string) {
	for k, e := range g.entries {
		if k.origin != origin {
			continue
		}
		g.delEntry(k)
		if e.u.Op == opRegister {
			if err := g.store.Deregister(e.u.Service); err != nil {
				g.logf(logWarn, "gossip: %v", err)
			}
		}
	}
}

// snapshot returns the live registrations known, own and remote, for a
// push/pull, dropping own registrations whose TTL ran out and old
// tombstones. g.mu is held.
func (g *Registry) snapshot() []*update {
	now := g.store.Clock().Now()
	out := make([]*update, 0, len(g.entries))
	for k, e := range g.entries {
		switch {
		case e.u.Op == opDeregister:
			if now.Sub(e.seenAt) > tombstoneTTL {
				g.delEntry(k)
			}
		case !e.expires.IsZero() && now.After(e.expires):
			g.delEntry(k)
		default:
			out = append(out, e.u)
		}
	}
	return out
}

// ownUpdate records this node's change as entries and returns the update
// to send. g.mu is held.
func (g *Registry) ownUpdate(op string, s *engine.Service, ttl time.Duration) *update {
	g.ltime++
	u := &update{Origin: g.name, Epoch: g.epoch, LTime: g.ltime, Op: op, TTL: int64(ttl), Service: engine.CopyService(s)}
	now := g.store.Clock().Now()
	for _, one := range split(u) {
		e := &entry{u: one, seenAt: now}
		if op == opRegister && ttl > 0 {
			e.expires = now.Add(ttl)
		}
		g.putEntry(keyOf(one), e)
	}
	return u
}
