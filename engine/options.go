package engine

import (
	"context"
	"crypto/tls"
	"time"
)

// Options are a registry's construction options: go-micro's registry
// options, field for field, but for the logger, which is the engine's
// small Logger. Backend options travel in Context (see ContextOption).
type Options struct {
	Logger    Logger
	Context   context.Context
	TLSConfig *tls.Config
	Addrs     []string
	Timeout   time.Duration
	Secure    bool
}

// Option sets a field of Options.
type Option func(*Options)

// NewOptions returns Options with go-micro's defaults (a background
// Context, DefaultLogger) and opts applied.
func NewOptions(opts ...Option) *Options {
	o := &Options{Context: context.Background(), Logger: DefaultLogger}
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	return o
}

// Addrs sets the addresses of the registry (go-micro's --registry_address).
func Addrs(addrs ...string) Option { return func(o *Options) { o.Addrs = addrs } }

// Timeout sets the timeout of calls to the registry.
func Timeout(d time.Duration) Option { return func(o *Options) { o.Timeout = d } }

// Secure asks for TLS to the registry.
func Secure(b bool) Option { return func(o *Options) { o.Secure = b } }

// TLSConfig sets the TLS configuration used to reach the registry.
func TLSConfig(c *tls.Config) Option { return func(o *Options) { o.TLSConfig = c } }

// WithLogger sets the logger a backend writes to.
func WithLogger(l Logger) Option { return func(o *Options) { o.Logger = l } }

// RegisterOptions are the options of one Register call.
type RegisterOptions struct {
	Context context.Context
	TTL     time.Duration
}

// RegisterOption sets a field of RegisterOptions.
type RegisterOption func(*RegisterOptions)

// WatchOptions are the options of one Watch call.
type WatchOptions struct {
	Context context.Context
	// Service restricts the watch to one service; empty watches all.
	Service string
}

// WatchOption sets a field of WatchOptions.
type WatchOption func(*WatchOptions)

// DeregisterOptions are the options of one Deregister call.
type DeregisterOptions struct{ Context context.Context }

// DeregisterOption sets a field of DeregisterOptions.
type DeregisterOption func(*DeregisterOptions)

// GetOptions are the options of one GetService call.
type GetOptions struct{ Context context.Context }

// GetOption sets a field of GetOptions.
type GetOption func(*GetOptions)

// ListOptions are the options of one ListServices call.
type ListOptions struct{ Context context.Context }

// ListOption sets a field of ListOptions.
type ListOption func(*ListOptions)

// RegisterTTL makes a registration expire unless it is refreshed within d.
func RegisterTTL(d time.Duration) RegisterOption {
	return func(o *RegisterOptions) { o.TTL = d }
}

// RegisterContext sets the context of a Register call.
func RegisterContext(ctx context.Context) RegisterOption {
	return func(o *RegisterOptions) { o.Context = ctx }
}

// DeregisterContext sets the context of a Deregister call.
func DeregisterContext(ctx context.Context) DeregisterOption {
	return func(o *DeregisterOptions) { o.Context = ctx }
}

// GetContext sets the context of a GetService call.
func GetContext(ctx context.Context) GetOption { return func(o *GetOptions) { o.Context = ctx } }

// ListContext sets the context of a ListServices call.
func ListContext(ctx context.Context) ListOption { return func(o *ListOptions) { o.Context = ctx } }

// WatchService restricts a watcher to one service name.
func WatchService(name string) WatchOption { return func(o *WatchOptions) { o.Service = name } }

// WatchContext ties a watcher to ctx: when ctx is done the watcher stops.
func WatchContext(ctx context.Context) WatchOption {
	return func(o *WatchOptions) { o.Context = ctx }
}
