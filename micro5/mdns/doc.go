// Package mdns is microreg's mdns backend for go-micro v5: the engine, options,
// errors and behaviour of github.com/microreg/microreg/mdns (the go-micro v4
// face, whose package doc is the reference), handed to go-micro v5 with
// its own types. A blank import registers it as "mdns" in go-micro v5's
// cmd.DefaultRegistries, in place of the registry of that name go-micro
// v5 ships, so --registry=mdns and MICRO_REGISTRY=mdns select it.
package mdns
