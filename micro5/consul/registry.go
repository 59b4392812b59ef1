package consul

import (
	"context"

	econsul "github.com/microreg/microreg/engine/consul"
	"github.com/microreg/microreg/internal/face"
	"github.com/microreg/microreg/micro5/internal/face5"
	"github.com/microreg/microreg/micro5/registry"
)

// Name is the backend's name in the registry table and String().
const Name = econsul.Name

// Defaults of the options.
const (
	// DefaultTimeout bounds every call that is not a blocking query.
	DefaultTimeout = econsul.DefaultTimeout
	// DefaultCheckTTL is the TTL of the health check of a node registered
	// without RegisterTTL; the registry passes it every third of that.
	DefaultCheckTTL = econsul.DefaultCheckTTL
	// DefaultDeregisterCriticalAfter is how long Consul keeps an instance
	// whose check is critical (a killed process) before removing it.
	DefaultDeregisterCriticalAfter = econsul.DefaultDeregisterCriticalAfter
	// DefaultViewQueries is how many services a registry follows with a
	// blocking query each before its change detection is shared: with the
	// pulse and the 4 idle connections short calls reuse, at most 16
	// connections to the agent (see ViewQueries).
	DefaultViewQueries = econsul.DefaultViewQueries
)

// Errors a caller can check with errors.Is.
var (
	// ErrUnavailable wraps every error that means Consul cannot answer
	// now: no agent reachable, a timeout, too many connections (429), no
	// cluster leader or another server error (5xx).
	ErrUnavailable = econsul.ErrUnavailable
	// ErrPermissionDenied wraps an ACL refusal (HTTP 403).
	ErrPermissionDenied = econsul.ErrPermissionDenied
	// ErrConfig wraps a configuration Consul's client rejects.
	ErrConfig = econsul.ErrConfig
)

// Read is how a registry's reads are answered (ReadMode).
type Read = econsul.Read

// The read modes (see ReadMode).
const (
	// ReadLeader, the default: reads go to the leader, and only a read
	// that fails because the cluster has no leader is asked again of any
	// server, and reads go stale for 10 s.
	ReadLeader = econsul.ReadLeader
	// ReadStale: every read may be answered by any server.
	ReadStale = econsul.ReadStale
	// ReadConsistent: every read is consistent, and none is asked again of
	// another server.
	ReadConsistent = econsul.ReadConsistent
)

// WithTags returns a context for RegisterContext that adds Consul tags to
// the nodes registered with it; they stay with those nodes through later
// Registers that name none (go-micro's server re-registers with no
// context).
func WithTags(ctx context.Context, tags ...string) context.Context {
	return econsul.WithTags(ctx, tags...)
}

// WithMeta is WithTags for Consul Meta pairs.
func WithMeta(ctx context.Context, meta map[string]string) context.Context {
	return econsul.WithMeta(ctx, meta)
}

func init() { registry.Register(Name, registry.FactoryOf(New)) }

// Registry is the Consul backend: go-micro's registry.Registry, plus
// Close and Diagnose. New returns one; NewRegistry returns one as a
// registry.Registry.
type Registry struct {
	face5.Registry
	e *econsul.Registry
}

func wrap(e *econsul.Registry) *Registry { return &Registry{face5.New(e), e} }

// NewRegistry returns a registry talking to the agent at registry.Addrs,
// or CONSUL_HTTP_ADDR, or 127.0.0.1:8500. A bad configuration is
// reported by every call (wrapping ErrConfig).
func NewRegistry(opts ...registry.Option) registry.Registry {
	return wrap(econsul.Open(face5.NewOptions(opts)...))
}

// New is NewRegistry that returns a bad configuration (ErrConfig) at once
// instead of from every call. It does not wait for the agent: a registry
// built while its agent is down works once the agent is back, as
// NewRegistry's does.
func New(opts ...registry.Option) (*Registry, error) {
	return face.Built(wrap)(econsul.New(face5.NewOptions(opts)...))
}

// Diagnose reports the registry's own checks (see registry.Diagnose).
func (c *Registry) Diagnose(ctx context.Context, service string) []registry.Finding {
	return c.e.Diagnose(ctx, service)
}
