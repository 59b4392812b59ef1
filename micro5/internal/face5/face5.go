package face5

import (
	"go-micro.dev/v5/logger"
	mregistry "go-micro.dev/v5/registry"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/internal/face"
)

// V5 is go-micro v5 as internal/face needs it.
var V5 = face.Major[mregistry.Options]{
	ToEngine: func(o mregistry.Options) engine.Options {
		var l engine.Logger
		if o.Logger != nil {
			l = logAdapter{o.Logger}
		}
		return engine.Options{Logger: l, Context: o.Context, TLSConfig: o.TLSConfig, Addrs: o.Addrs, Timeout: o.Timeout, Secure: o.Secure}
	},
	FromEngine: func(o engine.Options) mregistry.Options {
		return mregistry.Options{Logger: v5Logger(o.Logger), Context: o.Context, TLSConfig: o.TLSConfig, Addrs: o.Addrs, Timeout: o.Timeout, Secure: o.Secure}
	},
	Defaults:       func() mregistry.Options { return *mregistry.NewOptions() },
	NotFound:       mregistry.ErrNotFound,
	WatcherStopped: mregistry.ErrWatcherStopped,
}

// Registry is an engine backend as a go-micro v5 registry.Registry; each
// backend of the v5 face embeds it.
type Registry = face.Registry[mregistry.Service, mregistry.Result, mregistry.Options, mregistry.Option,
	mregistry.RegisterOption, mregistry.DeregisterOption, mregistry.GetOption, mregistry.ListOption,
	mregistry.WatchOption, mregistry.Watcher]

// New is e as a go-micro v5 registry.
func New(e face.Backend) Registry {
	return face.New[mregistry.Service, mregistry.Result, mregistry.Options, mregistry.Option,
		mregistry.RegisterOption, mregistry.DeregisterOption, mregistry.GetOption, mregistry.ListOption,
		mregistry.WatchOption, mregistry.Watcher](V5, e)
}

// Engine is any go-micro v5 registry as an engine.Registry.
func Engine(r mregistry.Registry) engine.Registry {
	return face.Reverse[mregistry.Service, mregistry.Result, mregistry.Options, mregistry.Option,
		mregistry.RegisterOption, mregistry.DeregisterOption, mregistry.GetOption, mregistry.ListOption,
		mregistry.WatchOption, mregistry.Watcher](V5, r)
}

// NewOptions is what a v5 face backend is built with: go-micro v5's default
// logger (as go-micro's registry.NewOptions sets it), then opts.
func NewOptions(opts []mregistry.Option) []engine.Option {
	return append([]engine.Option{engine.WithLogger(logAdapter{logger.DefaultLogger})}, options(opts)...)
}

// options converts go-micro v5 options to the engine's.
func options(opts []mregistry.Option) []engine.Option { return face.Options(V5, opts) }

// Option is an engine option (a backend's own) as go-micro v5's.
func Option(opt engine.Option) mregistry.Option {
	return face.Option[mregistry.Options, mregistry.Option](V5, opt)
}

// EngineServices is s as the engine's type, the same memory.
func EngineServices(s []*mregistry.Service) []*engine.Service { return face.EngineServices(s) }

// logAdapter is a go-micro v5 logger as an engine.Logger.
type logAdapter struct{ l logger.Logger }

func (a logAdapter) Logf(level engine.Level, format string, args ...any) {
	a.l.Logf(logger.Level(level), format, args...)
}

// v5Logger is the go-micro logger behind l: the one it adapts, or
// go-micro v5's default for a logger that is not one.
func v5Logger(l engine.Logger) logger.Logger {
	switch a := l.(type) {
	case nil:
		return nil
	case logAdapter:
		return a.l
	}
	return logger.DefaultLogger
}

// GoMicroFactory is f as go-micro v5's cmd.DefaultRegistries wants it
// (see face.GoMicroFactory).
func GoMicroFactory(name string, f face.Factory[mregistry.Registry, mregistry.Option]) func(...mregistry.Option) mregistry.Registry {
	return face.GoMicroFactory[mregistry.Service, mregistry.Result, mregistry.Options, mregistry.Option,
		mregistry.RegisterOption, mregistry.DeregisterOption, mregistry.GetOption, mregistry.ListOption,
		mregistry.WatchOption, mregistry.Watcher, mregistry.Registry](V5, name, f)
}
