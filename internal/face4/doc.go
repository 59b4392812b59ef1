// Package face4 is the go-micro v4 face of the engine: what turns an
// engine backend (github.com/microreg/microreg/engine/...) into a
// go-micro.dev/v4 registry.Registry, and back.
//
// Crossing it costs nothing: the engine's Service, Node, Endpoint, Value,
// Result and call options have go-micro's memory layout, field for field,
// so a pointer to one is converted to a pointer to the other under rule
// (1) of unsafe.Pointer, with no copy (layout_test.go fails on any drift).
// Construction options are converted one by one (they run once); a
// go-micro logger is adapted to engine.Logger; the engine's ErrNotFound and
// ErrWatcherStopped become go-micro's own.
package face4
