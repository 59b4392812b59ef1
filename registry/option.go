package registry

import (
	"context"
	"io"
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

// Close stops a backend's goroutines if it has a Close method (every
// microreg backend does); go-micro's Registry interface has none.
func Close(r Registry) error {
	if c, ok := r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// CheckContext returns ctx's error if ctx is already done, so a call made
// with a cancelled context changes nothing. A nil ctx is never done.
func CheckContext(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	return ctx.Err()
}
