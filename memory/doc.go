// Package memory is an in-process registry backend for unit tests and
// single-binary deployments: go-micro's registry semantics, with deep
// copies, updates that reach watchers, TTL expiry with delete events, and
// lock-free reads that scale with readers.
//
// It registers itself as "memory": a blank import makes --registry=memory
// and MICRO_REGISTRY=memory work in go-micro programs. Services preloads
// it; Clock sets the clock TTLs are measured on (tests pass a
// registrytest.FakeClock) and WatchQueue each watcher's queue, both when
// the registry is built (in Init they are an error wrapping
// registry.ErrOption).
//
// # Security
//
// Who can register: only code in this process; nothing listens on the
// network. Limits: at most registry.MaxServices names and
// registry.MaxNodes nodes (50,000 and 200,000 by default); a Register past
// them returns an error wrapping registry.ErrLimit and changes nothing.
package memory
