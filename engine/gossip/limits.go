package gossip

import (
	"fmt"

	"github.com/microreg/microreg/engine"
)

// putEntry stores e under k, counting k's origin's entries; g.mu is held.
func (g *Registry) putEntry(k entryKey, e *entry) {
	if _, ok := g.entries[k]; !ok {
		g.perOrigin[k.origin]++
	}
	g.entries[k] = e
}

// delEntry drops k; g.mu is held.
func (g *Registry) delEntry(k entryKey) {
	if _, ok := g.entries[k]; !ok {
		return
	}
	delete(g.entries, k)
	if g.perOrigin[k.origin]--; g.perOrigin[k.origin] <= 0 {
		delete(g.perOrigin, k.origin)
	}
}

// refuse counts a node of origin's refused for its limit, and logs the
// first.
func (g *Registry) refuse(origin, service string) {
	if g.refused.Peer(origin) {
		g.logf(logWarn, "gossip: member %s registers more than %d nodes (its node of %s and any more are refused here; logged once; gossip.MaxNodesPerMember raises it)", origin, g.maxPerMember, service)
	}
}

// refuseView counts a registration of origin's refused by the view's
// limits, and logs the first.
func (g *Registry) refuseView(origin string, err error) {
	if g.refused.View("member "+origin, err) {
		g.logf(logWarn, "gossip: a registration of member %s is refused: %v (logged once; registry.MaxServices and MaxNodes raise the limits)", origin, err)
	}
}

// roomFor returns an error wrapping engine.ErrLimit if registering s here
// would make this node hold more than its limit of own nodes; g.mu is
// held.
func (g *Registry) roomFor(s *engine.Service) error {
	fresh := 0
	for _, n := range s.Nodes {
		if _, ok := g.entries[entryKey{g.name, s.Name, s.Version, n.Id}]; !ok {
			fresh++
		}
	}
	if have := g.perOrigin[g.name]; fresh > 0 && have+fresh > g.maxPerMember {
		return fmt.Errorf("gossip: service %s: %w: this member holds %d nodes (and recent deregistrations), its limit is %d (gossip.MaxNodesPerMember)", s.Name, engine.ErrLimit, have, g.maxPerMember)
	}
	return nil
}

// checkLimits reports the limits and what was refused for them.
func (g *Registry) checkLimits() engine.Finding {
	services, nodes := g.store.Counts()
	return g.refused.Finding(services, nodes, g.maxPerMember, "member",
		"a member registering without end (a new node id at every restart, a loop) is a bug or an attack; if the fleet is really this large, raise gossip.MaxNodesPerMember, registry.MaxServices or MaxNodes")
}
