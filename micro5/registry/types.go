package registry

import (
	"context"
	"crypto/tls"
	"time"

	"go-micro.dev/v5/logger"
	mregistry "go-micro.dev/v5/registry"

	"github.com/microreg/microreg/engine"
)

// Registry is go-micro's registry interface; every microreg backend
// implements it unchanged.
type Registry = mregistry.Registry

// Service is a named, versioned service and its nodes.
type Service = mregistry.Service

// Node is one instance of a service.
type Node = mregistry.Node

// Endpoint describes one handler of a service.
type Endpoint = mregistry.Endpoint

// Value describes a request or response type, recursively.
type Value = mregistry.Value

// Result is one watch event.
type Result = mregistry.Result

// Watcher returns watch events until it is stopped.
type Watcher = mregistry.Watcher

// Options are a registry's construction options.
type Options = mregistry.Options

// Option sets a field of Options.
type Option = mregistry.Option

// RegisterOptions are the options of one Register call.
type RegisterOptions = mregistry.RegisterOptions

// RegisterOption sets a field of RegisterOptions.
type RegisterOption = mregistry.RegisterOption

// DeregisterOptions are the options of one Deregister call.
type DeregisterOptions = mregistry.DeregisterOptions

// DeregisterOption sets a field of DeregisterOptions.
type DeregisterOption = mregistry.DeregisterOption

// GetOptions are the options of one GetService call.
type GetOptions = mregistry.GetOptions

// GetOption sets a field of GetOptions.
type GetOption = mregistry.GetOption

// ListOptions are the options of one ListServices call.
type ListOptions = mregistry.ListOptions

// ListOption sets a field of ListOptions.
type ListOption = mregistry.ListOption

// WatchOptions are the options of one Watch call.
type WatchOptions = mregistry.WatchOptions

// WatchOption sets a field of WatchOptions.
type WatchOption = mregistry.WatchOption

// The actions a Result carries, as go-micro spells them.
const (
	// ActionCreate reports a service version that was not there before;
	// the Result's Service holds all of its nodes.
	ActionCreate = engine.ActionCreate
	// ActionUpdate reports a change to a known service version: the
	// Result's Service carries the nodes added or changed, or all of the
	// version's nodes when its metadata or endpoints changed. Consumers
	// merge its nodes by id, as go-micro's registry/cache does.
	ActionUpdate = engine.ActionUpdate
	// ActionDelete reports nodes that left; the Result's Service holds
	// only the nodes removed. When the last node goes, so does the version.
	ActionDelete = engine.ActionDelete
)

// Addrs sets the addresses of the registry (go-micro's --registry_address).
func Addrs(addrs ...string) Option { return mregistry.Addrs(addrs...) }

// Timeout sets the timeout of calls to the registry.
func Timeout(d time.Duration) Option { return mregistry.Timeout(d) }

// Secure asks for TLS to the registry.
func Secure(b bool) Option { return mregistry.Secure(b) }

// TLSConfig sets the TLS configuration used to reach the registry.
func TLSConfig(c *tls.Config) Option { return mregistry.TLSConfig(c) }

// Logger sets the logger a backend writes to.
func Logger(l logger.Logger) Option { return mregistry.Logger(l) }

// RegisterTTL makes a registration expire unless it is refreshed within d.
func RegisterTTL(d time.Duration) RegisterOption { return mregistry.RegisterTTL(d) }

// RegisterContext sets the context of a Register call.
func RegisterContext(ctx context.Context) RegisterOption { return mregistry.RegisterContext(ctx) }

// DeregisterContext sets the context of a Deregister call.
func DeregisterContext(ctx context.Context) DeregisterOption {
	return mregistry.DeregisterContext(ctx)
}

// GetContext sets the context of a GetService call.
func GetContext(ctx context.Context) GetOption { return mregistry.GetContext(ctx) }

// ListContext sets the context of a ListServices call.
func ListContext(ctx context.Context) ListOption { return mregistry.ListContext(ctx) }

// WatchService restricts a watcher to one service name.
func WatchService(name string) WatchOption { return mregistry.WatchService(name) }

// WatchContext ties a watcher to ctx: when ctx is done the watcher stops.
func WatchContext(ctx context.Context) WatchOption { return mregistry.WatchContext(ctx) }

// NewOptions returns Options with go-micro's defaults and opts applied.
func NewOptions(opts ...Option) *Options { return mregistry.NewOptions(opts...) }

// DefaultTTL is go-micro's default RegisterTTL (its server re-registers
// every 30 s with a 90 s TTL).
const DefaultTTL = engine.DefaultTTL

// Clock is the time source of TTL bookkeeping (see each backend's Clock
// option); tests pass a registrytest.FakeClock.
type Clock = engine.Clock

// Timer is the part of *time.Timer a Clock hands out.
type Timer = engine.Timer
