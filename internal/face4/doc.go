// Package face4 is the go-micro v4 face of the engine: internal/face
// filled with go-micro.dev/v4's types, its logger and its sentinels. It
// turns an engine backend into a go-micro v4 registry.Registry (New), and
// any go-micro v4 registry into an engine.Registry (Engine).
package face4
