// Package face5 is the go-micro v5 face of the engine: internal/face
// filled with go-micro.dev/v5's types, its logger and its sentinels. It
// turns an engine backend into a go-micro v5 registry.Registry (New), and
// any go-micro v5 registry into an engine.Registry (Engine).
package face5
