package engine

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// maxRefusedPeers bounds how many peers Refusals names; every refusal is
// counted.
const maxRefusedPeers = 64

// Refusals counts what a backend refused of its peers for the limits (a
// gossip member's nodes over MaxNodesPerMember, an mDNS host's over
// MaxNodesPerHost, anything over a view's MaxServices or MaxNodes), so that
// each is logged once and doctor's limits check names who went over. The
// zero value is ready to use.
type Refusals struct {
	mu       sync.Mutex
	total    int64
	byPeer   map[string]int64 // at most maxRefusedPeers
	view     int64
	lastView string
}

// Peer counts one node of peer refused for its per-peer limit, and
// reports whether it is the first of peer's (the one to log).
func (r *Refusals) Peer(peer string) (first bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byPeer == nil {
		r.byPeer = map[string]int64{}
	}
	r.total++
	if _, seen := r.byPeer[peer]; seen || len(r.byPeer) < maxRefusedPeers {
		r.byPeer[peer]++
	}
	return r.byPeer[peer] == 1
}

// View counts one registration of peer refused by the view's limits
// (err), and reports whether it is the first (the one to log).
func (r *Refusals) View(peer string, err error) (first bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.view++
	r.lastView = fmt.Sprintf("%s: %v", peer, err)
	return r.view == 1
}

// Finding is doctor's limits check: what the view holds (services,
// nodes), the per-peer limit (perPeer, with what a peer is, e.g.
// "member"), and what was refused, with fix under a warning.
func (r *Refusals) Finding(services, nodes, perPeer int, peer, fix string) Finding {
	f := Finding{Check: "limits"}
	r.mu.Lock()
	total, view, lastView := r.total, r.view, r.lastView
	byPeer := make([]string, 0, len(r.byPeer))
	for p, n := range r.byPeer {
		byPeer = append(byPeer, fmt.Sprintf("%s (%d)", p, n))
	}
	r.mu.Unlock()
	slices.Sort(byPeer)
	f.Finding = fmt.Sprintf("the view holds %d services and %d nodes; at most %d nodes per %s", services, nodes, perPeer, peer)
	if total == 0 && view == 0 {
		f.Finding += "; nothing refused"
		return f
	}
	f.Status = StatusWarn
	if total > 0 {
		f.Finding += fmt.Sprintf("; refused %d nodes of %ss over the limit: %s", total, peer, strings.Join(byPeer, ", "))
	}
	if view > 0 {
		f.Finding += fmt.Sprintf("; refused %d registrations over the view's limits, the last: %s", view, lastView)
	}
	f.Fix = fix
	return f
}
