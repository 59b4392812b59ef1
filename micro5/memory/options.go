package memory

import (
	ememory "github.com/microreg/microreg/engine/memory"
	"github.com/microreg/microreg/micro5/internal/face5"
	"github.com/microreg/microreg/micro5/registry"
)

// Clock sets the clock TTLs are measured on; tests pass a
// registrytest.FakeClock to expire registrations without sleeping. It is
// read once, by Open.
func Clock(c registry.Clock) registry.Option { return face5.Option(ememory.Clock(c)) }

// WatchQueue sets how many events each watcher holds before it coalesces
// (see engine.Store.Watch); default engine.DefaultWatchQueue. It is
// read once, by Open.
func WatchQueue(n int) registry.Option { return face5.Option(ememory.WatchQueue(n)) }
