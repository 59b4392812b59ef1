package face

import "github.com/microreg/microreg/engine"

// Major is what a face supplies of its go-micro major version: how its
// construction Options convert (the logger is the major's own type) and
// its sentinels.
type Major[Opts any] struct {
	// ToEngine is o as the engine's Options, the logger adapted.
	ToEngine func(o Opts) engine.Options
	// FromEngine is o as the major's Options, the logger unwrapped.
	FromEngine func(o engine.Options) Opts
	// Defaults is the major's NewOptions() with no options.
	Defaults func() Opts
	// NotFound and WatcherStopped are the major's own sentinels.
	NotFound, WatcherStopped error
}

// Options converts the major's options to the engine's, one by one: each
// runs on the major's Options and its result is carried over, so options
// that store a backend's setting in Options.Context keep it.
func Options[Opts any, Opt ~func(*Opts)](m Major[Opts], opts []Opt) []engine.Option {
	out := make([]engine.Option, 0, len(opts))
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		out = append(out, func(eo *engine.Options) {
			mo := m.FromEngine(*eo)
			opt(&mo)
			*eo = m.ToEngine(mo)
		})
	}
	return out
}

// Option is an engine option (a backend's own, e.g. consul.ViewQueries)
// as the major's: it sets what the engine option sets.
func Option[Opts any, Opt ~func(*Opts)](m Major[Opts], opt engine.Option) Opt {
	return func(mo *Opts) {
		eo := m.ToEngine(*mo)
		opt(&eo)
		*mo = m.FromEngine(eo)
	}
}

// Err returns the major's sentinel in place of the engine's.
func (m Major[Opts]) Err(err error) error {
	switch err {
	case nil:
		return nil
	case engine.ErrNotFound:
		return m.NotFound
	case engine.ErrWatcherStopped:
		return m.WatcherStopped
	}
	return err
}

// engineErr is Err the other way round: only the major's sentinels
// themselves, so that a registry that wraps them still fails the suite's
// checks that go-micro's sentinel comes back unwrapped.
func (m Major[Opts]) engineErr(err error) error {
	switch err {
	case m.NotFound:
		return engine.ErrNotFound
	case m.WatcherStopped:
		return engine.ErrWatcherStopped
	}
	return err
}
