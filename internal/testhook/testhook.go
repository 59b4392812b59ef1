// Package testhook carries what the v4 face's tests need of an engine
// backend's insides (a crash without goodbye, a forged gossip message).
// Each engine backend fills its hooks in init; nothing else calls them.
package testhook

// The hooks. Arguments are the engine backends' *Registry.
var (
	// GossipCrash stops a gossip node the way a killed process does.
	GossipCrash func(g any)
	// GossipDeliverDeathHint hands g a death hint about dead, as if
	// gossiped by a member that found dead dead.
	GossipDeliverDeathHint func(g, dead any)
	// GossipChecking returns how many hinted members g is checking.
	GossipChecking func(g any) int
	// MDNSCrash stops an mdns node the way a killed process does.
	MDNSCrash func(r any)
)
