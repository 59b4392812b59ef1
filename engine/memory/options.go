package memory

import (
	"github.com/microreg/microreg/engine"
)

type servicesKey struct{}

// Services preloads the registry with services, by name, as go-micro's
// memory registry option of the same name does. Preloaded services never
// expire. They are loaded by Open (or New) and again by Init,
// merged with what is there.
func Services(s map[string][]*engine.Service) engine.Option {
	return engine.BackendOption(Name, "memory.Services", servicesKey{}, s)
}

// Clock sets the clock TTLs are measured on; tests pass a
// enginetest.FakeClock to expire registrations without sleeping. It is
// read once, by Open.
func Clock(c engine.Clock) engine.Option {
	return engine.Marked(Name, "memory.Clock", engine.ClockOption(c))
}

// WatchQueue sets how many events each watcher holds before it coalesces
// (see engine.Store.Watch); default engine.DefaultWatchQueue. It is
// read once, by Open.
func WatchQueue(n int) engine.Option {
	return engine.Marked(Name, "memory.WatchQueue", engine.WatchQueueOption(n))
}
