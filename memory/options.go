package memory

import (
	"github.com/microreg/microreg/registry"
)

type servicesKey struct{}

// Services preloads the registry with services, by name, as go-micro's
// memory registry option of the same name does. Preloaded services never
// expire. They are loaded by NewRegistry (or New) and again by Init,
// merged with what is there.
func Services(s map[string][]*registry.Service) registry.Option {
	return registry.BackendOption(Name, "memory.Services", servicesKey{}, s)
}

// Clock sets the clock TTLs are measured on; tests pass a
// registrytest.FakeClock to expire registrations without sleeping. It is
// read once, by NewRegistry.
func Clock(c registry.Clock) registry.Option {
	return registry.Marked(Name, "memory.Clock", registry.ClockOption(c))
}

// WatchQueue sets how many events each watcher holds before it coalesces
// (see registry.Store.Watch); default registry.DefaultWatchQueue. It is
// read once, by NewRegistry.
func WatchQueue(n int) registry.Option {
	return registry.Marked(Name, "memory.WatchQueue", registry.WatchQueueOption(n))
}
