package face4

import (
	"go-micro.dev/v4/logger"
	mregistry "go-micro.dev/v4/registry"

	"github.com/microreg/microreg/engine"
)

// NewOptions is what a v4 face backend is built with: go-micro's default
// logger (as go-micro's registry.NewOptions sets it), then opts.
func NewOptions(opts []mregistry.Option) []engine.Option {
	return append([]engine.Option{engine.WithLogger(logAdapter{logger.DefaultLogger})}, Options(opts)...)
}

// Options converts go-micro options to the engine's, one by one: each
// runs on go-micro's Options and its result is carried over, so options
// that store a backend's setting in Options.Context keep it.
func Options(opts []mregistry.Option) []engine.Option {
	out := make([]engine.Option, 0, len(opts))
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		out = append(out, func(eo *engine.Options) {
			mo := V4Options(*eo)
			mo.Logger = unchangedV4
			opt(&mo)
			l := eo.Logger
			switch {
			case mo.Logger == unchangedV4: // a pointer: never an uncomparable logger's type
			case mo.Logger == nil:
				l = nil
			default:
				l = logAdapter{mo.Logger}
			}
			*eo = engineOptions(mo, l)
		})
	}
	return out
}

// Option is an engine option (a backend's own, e.g. consul.ViewQueries)
// as go-micro's: it sets what the engine option sets.
func Option(opt engine.Option) mregistry.Option {
	return func(mo *mregistry.Options) {
		eo := engineOptions(*mo, unchangedEngine)
		opt(&eo)
		l := mo.Logger
		if eo.Logger != unchangedEngine {
			l = v4Logger(eo.Logger)
		}
		*mo = V4Options(eo)
		mo.Logger = l
	}
}

// The loggers that stand for "not set by this option": pointers, so
// comparing with them never panics.
var (
	unchangedV4     logger.Logger = new(unsetV4)
	unchangedEngine engine.Logger = new(unsetEngine)
)

type unsetV4 struct{ logger.Logger }

type unsetEngine struct{ engine.Logger }

// V4Options is eo as go-micro's Options.
func V4Options(eo engine.Options) mregistry.Options {
	return mregistry.Options{
		Logger:    v4Logger(eo.Logger),
		Context:   eo.Context,
		TLSConfig: eo.TLSConfig,
		Addrs:     eo.Addrs,
		Timeout:   eo.Timeout,
		Secure:    eo.Secure,
	}
}

// engineOptions is mo as the engine's Options, with logger l.
func engineOptions(mo mregistry.Options, l engine.Logger) engine.Options {
	return engine.Options{
		Logger:    l,
		Context:   mo.Context,
		TLSConfig: mo.TLSConfig,
		Addrs:     mo.Addrs,
		Timeout:   mo.Timeout,
		Secure:    mo.Secure,
	}
}

// logAdapter is a go-micro logger as an engine.Logger.
type logAdapter struct{ l logger.Logger }

func (a logAdapter) Logf(level engine.Level, format string, args ...any) {
	a.l.Logf(logger.Level(level), format, args...)
}

// v4Logger is the go-micro logger behind l: the one it adapts, or
// go-micro's default for a logger that is not one.
func v4Logger(l engine.Logger) logger.Logger {
	switch a := l.(type) {
	case nil:
		return nil
	case logAdapter:
		return a.l
	}
	return logger.DefaultLogger
}
