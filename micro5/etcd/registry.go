package etcd

import (
	"context"

	eetcd "github.com/microreg/microreg/engine/etcd"
	"github.com/microreg/microreg/internal/face"
	"github.com/microreg/microreg/micro5/internal/face5"
	"github.com/microreg/microreg/micro5/registry"
)

// Name is the backend's name in the registry table and String().
const Name = eetcd.Name

// Defaults of the options.
const (
	// DefaultTimeout bounds every call to etcd, and how long a lookup
	// waits for the registry's first reading of etcd.
	DefaultTimeout = eetcd.DefaultTimeout
	// DefaultLeaseTTL is the TTL of the registry's lease while it holds
	// only nodes registered without RegisterTTL.
	DefaultLeaseTTL = eetcd.DefaultLeaseTTL
	// DefaultPrefix is where go-micro's etcd registries keep their keys.
	DefaultPrefix = eetcd.DefaultPrefix
	// DefaultEndpoint is the etcd asked when no address is given.
	DefaultEndpoint = eetcd.DefaultEndpoint
)

// Errors a caller can check with errors.Is.
var (
	// ErrUnavailable wraps every error that means etcd cannot answer now:
	// no endpoint reachable, a timeout, no leader, too many requests.
	ErrUnavailable = eetcd.ErrUnavailable
	// ErrPermissionDenied wraps a refusal of etcd's access control.
	ErrPermissionDenied = eetcd.ErrPermissionDenied
	// ErrConfig wraps a configuration the registry cannot use.
	ErrConfig = eetcd.ErrConfig
	// ErrKeyTaken is wrapped by Register's error for a node whose key
	// holds another service's or node's registration ("/" in names is
	// "-" in keys, so "a/b" and "a-b" share them).
	ErrKeyTaken = eetcd.ErrKeyTaken
)

func init() { registry.Register(Name, registry.FactoryOf(New)) }

// Registry is the etcd backend: go-micro's registry.Registry, plus Close
// and Diagnose. New returns one; NewRegistry returns one as a
// registry.Registry.
type Registry struct {
	face5.Registry
	e *eetcd.Registry
}

func wrap(e *eetcd.Registry) *Registry { return &Registry{face5.New(e), e} }

// NewRegistry returns a registry talking to etcd at registry.Addrs, or
// ETCD_ENDPOINTS, or MICRO_REGISTRY_ADDRESS, or 127.0.0.1:2379. A bad
// configuration is reported by every call (wrapping ErrConfig).
func NewRegistry(opts ...registry.Option) registry.Registry {
	return wrap(eetcd.Open(face5.NewOptions(opts)...))
}

// New is NewRegistry that returns a bad configuration (ErrConfig) at once
// instead of from every call. It does not wait for etcd: a registry built
// while etcd is down works once etcd is back.
func New(opts ...registry.Option) (*Registry, error) {
	return face.Built(wrap)(eetcd.New(face5.NewOptions(opts)...))
}

// Diagnose reports the registry's own checks (see registry.Diagnose).
func (c *Registry) Diagnose(ctx context.Context, service string) []registry.Finding {
	return c.e.Diagnose(ctx, service)
}
