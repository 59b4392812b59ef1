// Package consul is microreg's consul backend for go-micro v5: the engine, options,
// errors and behaviour of github.com/microreg/microreg/consul (the go-micro v4
// face, whose package doc is the reference), handed to go-micro v5 with
// its own types. A blank import registers it as "consul" in go-micro v5's
// cmd.DefaultRegistries, in place of the registry of that name go-micro
// v5 ships, so --registry=consul and MICRO_REGISTRY=consul select it.
package consul
