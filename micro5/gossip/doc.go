// Package gossip is microreg's gossip backend for go-micro v5: the engine, options,
// errors and behaviour of github.com/microreg/microreg/gossip (the go-micro v4
// face, whose package doc is the reference), handed to go-micro v5 with
// its own types. A blank import registers it as "gossip" in go-micro v5's
// cmd.DefaultRegistries (go-micro v5 ships no gossip registry), so
// --registry=gossip and MICRO_REGISTRY=gossip select it.
package gossip
