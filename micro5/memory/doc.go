// Package memory is microreg's memory backend for go-micro v5: the engine, options,
// errors and behaviour of github.com/microreg/microreg/memory (the go-micro v4
// face, whose package doc is the reference), handed to go-micro v5 with
// its own types. A blank import registers it as "memory" in go-micro v5's
// cmd.DefaultRegistries, in place of the registry of that name go-micro
// v5 ships, so --registry=memory and MICRO_REGISTRY=memory select it.
package memory
