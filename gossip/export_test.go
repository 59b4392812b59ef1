package gossip

import "github.com/microreg/microreg/internal/testhook"

// Crash stops g's node the way a killed process does: no leave message,
// sockets closed, goroutines gone.
func Crash(g *Registry) { testhook.GossipCrash(g.e) }

// DeliverDeathHint hands g a death hint about member dead, as if gossiped
// by another member that found dead dead.
func DeliverDeathHint(g, dead *Registry) { testhook.GossipDeliverDeathHint(g.e, dead.e) }

// Checking returns how many hinted members g is checking.
func Checking(g *Registry) int { return testhook.GossipChecking(g.e) }
