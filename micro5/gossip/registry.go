package gossip

import (
	"context"

	"github.com/hashicorp/memberlist"

	egossip "github.com/microreg/microreg/engine/gossip"
	"github.com/microreg/microreg/internal/face"
	"github.com/microreg/microreg/micro5/internal/face5"
	"github.com/microreg/microreg/micro5/registry"
)

// Name is the backend's name in the registry table and String().
const Name = egossip.Name

// Defaults and limits.
const (
	// DefaultBindAddr is where a node listens unless BindAddress says
	// otherwise: loopback, so nothing is reachable from other hosts.
	DefaultBindAddr = egossip.DefaultBindAddr
	// DefaultPort is memberlist's and Serf's port.
	DefaultPort = egossip.DefaultPort
	// DefaultReconnectTimeout is how long a member that left by failure
	// is retried (see Reconnect).
	DefaultReconnectTimeout = egossip.DefaultReconnectTimeout
	// MaxMessageSize bounds one gossip message (ErrMessageTooLarge).
	MaxMessageSize = egossip.MaxMessageSize
)

var (
	// ErrNotStarted is registry.ErrNotStarted: it wraps the reason a
	// gossip registry could not start, which New returns at once and every
	// call of one built by NewRegistry returns.
	ErrNotStarted = egossip.ErrNotStarted
	// ErrRejected is returned by New when the members it was given to join
	// refused it (another cluster name or key).
	ErrRejected = egossip.ErrRejected
	// ErrOpenCluster is wrapped by New's error for a node with no secret
	// key bound where other hosts can reach it (see InsecureOpenCluster).
	ErrOpenCluster = egossip.ErrOpenCluster
	// ErrMessageTooLarge wraps registry.ErrTooLarge for a registration
	// whose message would exceed MaxMessageSize.
	ErrMessageTooLarge = egossip.ErrMessageTooLarge
	// ErrBadMessage reports a gossip message that does not decode.
	ErrBadMessage = egossip.ErrBadMessage
)

// Preset names a set of memberlist timings (WithPreset).
type Preset = egossip.Preset

// The presets.
const (
	Local = egossip.Local // LocalConfig: memberlist.DefaultLocalConfig, 500 ms probes
	LAN   = egossip.LAN   // memberlist.DefaultLANConfig
	WAN   = egossip.WAN   // memberlist.DefaultWANConfig
)

// LocalConfig is the Local preset's memberlist configuration (see the
// package doc for its timings).
func LocalConfig() *memberlist.Config { return egossip.LocalConfig() }

func init() { registry.Register(Name, registry.FactoryOf(New)) }

// Registry is a gossip node: go-micro's registry.Registry, plus Close,
// Diagnose, LocalAddr and Members. New returns one; NewRegistry returns
// one as a registry.Registry.
type Registry struct {
	face5.Registry
	e *egossip.Registry
}

func wrap(e *egossip.Registry) *Registry { return &Registry{face5.New(e), e} }

// NewRegistry starts a gossip node. If it cannot start, the registry it
// returns answers every call with an error wrapping ErrNotStarted (and
// Init tries again); New returns that error at once.
func NewRegistry(opts ...registry.Option) registry.Registry {
	return wrap(egossip.Open(face5.NewOptions(opts)...))
}

// New starts a gossip node and returns the error if it cannot, or if the
// members it was given to join refused it (ErrRejected: another cluster
// name or key).
func New(opts ...registry.Option) (*Registry, error) {
	return face.Built(wrap)(egossip.New(face5.NewOptions(opts)...))
}

// LocalAddr returns the host:port the node listens on, for others to
// join; ok is false for a node that did not start.
func (g *Registry) LocalAddr() (addr string, ok bool) { return g.e.LocalAddr() }

// Members returns how many members the node sees alive, itself included.
func (g *Registry) Members() int { return g.e.Members() }

// Diagnose reports the node's own checks (see registry.Diagnose).
func (g *Registry) Diagnose(ctx context.Context, service string) []registry.Finding {
	return g.e.Diagnose(ctx, service)
}
