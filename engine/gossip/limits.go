package gossip

import (
	"fmt"
	"slices"
	"strings"

	"github.com/microreg/microreg/engine"
)

// maxRefusedOrigins bounds how many members' refusals are remembered for
// doctor; every refusal is counted.
const maxRefusedOrigins = 64

// refusals is what a node refused of other members' registrations (doctor
// shows it).
type refusals struct {
	total    int64
	byOrigin map[string]int64 // at most maxRefusedOrigins
	view     int64            // refused by the view's limits
	lastView string
}

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
// first; g.mu is held.
func (g *Registry) refuse(origin, service string) {
	r := &g.refused
	if r.byOrigin == nil {
		r.byOrigin = map[string]int64{}
	}
	r.total++
	if _, seen := r.byOrigin[origin]; seen || len(r.byOrigin) < maxRefusedOrigins {
		r.byOrigin[origin]++
	}
	if r.byOrigin[origin] == 1 {
		g.logf(logWarn, "gossip: member %s registers more than %d nodes (its node of %s and any more are refused here; logged once; gossip.MaxNodesPerMember raises it)", origin, g.maxPerMember, service)
	}
}

// refuseView counts a registration of origin's refused by the view's
// limits, and logs the first; g.mu is held.
func (g *Registry) refuseView(origin string, err error) {
	r := &g.refused
	r.view++
	if r.view == 1 {
		g.logf(logWarn, "gossip: a registration of member %s is refused: %v (logged once; registry.MaxServices and MaxNodes raise the limits)", origin, err)
	}
	r.lastView = fmt.Sprintf("member %s: %v", origin, err)
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
	f := engine.Finding{Check: "limits"}
	services, nodes := g.store.Counts()
	g.mu.Lock()
	r := g.refused
	byOrigin := make([]string, 0, len(r.byOrigin))
	for o, n := range r.byOrigin {
		byOrigin = append(byOrigin, fmt.Sprintf("%s (%d)", o, n))
	}
	max := g.maxPerMember
	g.mu.Unlock()
	slices.Sort(byOrigin)
	f.Finding = fmt.Sprintf("the view holds %d services and %d nodes; at most %d nodes per member", services, nodes, max)
	if r.total == 0 && r.view == 0 {
		f.Finding += "; nothing refused"
		return f
	}
	f.Status = engine.StatusWarn
	if r.total > 0 {
		f.Finding += fmt.Sprintf("; refused %d nodes of members over the limit: %s", r.total, strings.Join(byOrigin, ", "))
	}
	if r.view > 0 {
		f.Finding += fmt.Sprintf("; refused %d registrations over the view's limits, the last: %s", r.view, r.lastView)
	}
	f.Fix = "a member registering without end (a new node id at every restart, a loop) is a bug or an attack; if the fleet is really this large, raise gossip.MaxNodesPerMember, registry.MaxServices or MaxNodes"
	return f
}
