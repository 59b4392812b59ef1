package registry

import (
	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/internal/face4"
)

// The limits on what peers can make a registry hold, with defaults far
// beyond what real fleets reach (see each backend's "Security" section).
const (
	// DefaultMaxServices is how many service names a registry's view holds.
	DefaultMaxServices = engine.DefaultMaxServices
	// DefaultMaxNodes is how many nodes a registry's view holds.
	DefaultMaxNodes = engine.DefaultMaxNodes
	// DefaultMaxNodesPerPeer is how many nodes one gossip member or one
	// mDNS host may have a registry hold (gossip.MaxNodesPerMember,
	// mdns.MaxNodesPerHost).
	DefaultMaxNodesPerPeer = engine.DefaultMaxNodesPerPeer
)

// ErrLimit is wrapped by every error about a registration over a limit;
// its text says which and how to raise it.
var ErrLimit = engine.ErrLimit

// MaxServices sets how many service names the registry's view holds
// (default DefaultMaxServices). A new name beyond it is refused: Register
// returns an error wrapping ErrLimit, and a peer's is logged once and
// shown by doctor.
func MaxServices(n int) Option { return face4.Option(engine.MaxServices(n)) }

// MaxNodes sets how many nodes the registry's view holds (default
// DefaultMaxNodes), as MaxServices does for names.
func MaxNodes(n int) Option { return face4.Option(engine.MaxNodes(n)) }
