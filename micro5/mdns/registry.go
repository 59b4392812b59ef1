package mdns

import (
	"context"

	emdns "github.com/microreg/microreg/engine/mdns"
	"github.com/microreg/microreg/internal/face"
	"github.com/microreg/microreg/micro5/internal/face5"
	"github.com/microreg/microreg/micro5/registry"
)

// Name is the backend's name in the registry table and String().
const Name = emdns.Name

// Defaults.
const (
	// DefaultDomain is the mDNS domain.
	DefaultDomain = emdns.DefaultDomain
	// DefaultTTL is the TTL of announced records.
	DefaultTTL = emdns.DefaultTTL
	// DefaultQueryTimeout bounds a first lookup of an unknown service.
	DefaultQueryTimeout = emdns.DefaultQueryTimeout
)

var (
	// ErrNotStarted is registry.ErrNotStarted: it wraps the reason an
	// mdns registry could not start, which New returns at once and every
	// call of one built by NewRegistry returns.
	ErrNotStarted = emdns.ErrNotStarted
	// ErrBadTXT reports TXT data that does not decode to a service.
	ErrBadTXT = emdns.ErrBadTXT
)

func init() { registry.Register(Name, registry.FactoryOf(New)) }

// Registry is an mDNS node: go-micro's registry.Registry, plus Close,
// Diagnose and Interfaces. New returns one; NewRegistry returns one as a
// registry.Registry.
type Registry struct {
	face5.Registry
	e *emdns.Registry
}

func wrap(e *emdns.Registry) *Registry { return &Registry{face5.New(e), e} }

// NewRegistry opens the multicast sockets. If it cannot, every call of the
// registry it returns fails with an error wrapping ErrNotStarted; New
// returns that error at once.
func NewRegistry(opts ...registry.Option) registry.Registry {
	return wrap(emdns.Open(face5.NewOptions(opts)...))
}

// New opens the registry's sockets and returns the error if it cannot.
func New(opts ...registry.Option) (*Registry, error) {
	return face.Built(wrap)(emdns.New(face5.NewOptions(opts)...))
}

// Interfaces returns the names of the network interfaces the registry
// joined the mDNS group on; none if it did not start.
func (r *Registry) Interfaces() []string { return r.e.Interfaces() }

// Diagnose reports the node's own checks (see registry.Diagnose).
func (r *Registry) Diagnose(ctx context.Context, service string) []registry.Finding {
	return r.e.Diagnose(ctx, service)
}
