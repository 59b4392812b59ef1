package engine

import (
	"context"
)

// ContextOption returns an Option that stores a backend's own setting in
// Options.Context under key, the go-micro convention for options a
// backend adds to the shared Options. Backends wrap it in typed
// constructors (see memory.Services) and read it back with ContextValue.
func ContextOption(key, value any) Option {
	return func(o *Options) {
		if o.Context == nil {
			o.Context = context.Background()
		}
		o.Context = context.WithValue(o.Context, key, value)
	}
}

// ContextValue reads back a setting stored with ContextOption.
func ContextValue[T any](o Options, key any) (T, bool) {
	var zero T
	if o.Context == nil {
		return zero, false
	}
	v, ok := o.Context.Value(key).(T)
	if !ok {
		return zero, false
	}
	return v, true
}

type (
	clockKey      struct{}
	watchQueueKey struct{}
)

// ClockOption sets the clock a backend's Store measures TTLs on (see
// NewStoreFor); each backend's Clock option is this one. Tests pass a
// enginetest.FakeClock to expire registrations without sleeping.
func ClockOption(c Clock) Option { return ContextOption(clockKey{}, c) }

// WatchQueueOption sets how many events each watcher of a backend's Store
// holds before it coalesces (see NewStoreFor and Store.Watch).
func WatchQueueOption(n int) Option { return ContextOption(watchQueueKey{}, n) }

// NewStoreFor returns the Store a backend built with o keeps: the clock
// and watch queue of ClockOption and WatchQueueOption, if o has them,
// then more.
func NewStoreFor(o Options, more ...StoreOption) *Store {
	var opts []StoreOption
	if c, ok := ContextValue[Clock](o, clockKey{}); ok {
		opts = append(opts, WithClock(c))
	}
	if n, ok := ContextValue[int](o, watchQueueKey{}); ok {
		opts = append(opts, WithWatchQueue(n))
	}
	l := limitsOf(o)
	opts = append(opts, WithLimits(l.services, l.nodes))
	return NewStore(append(opts, more...)...)
}
