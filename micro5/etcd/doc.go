// Package etcd is microreg's etcd backend for go-micro v5: the engine,
// options, errors and behaviour of github.com/microreg/microreg/etcd (the
// go-micro v4 face, whose package doc is the reference), handed to
// go-micro v5 with its own types. A blank import registers it as "etcd" in
// go-micro v5's cmd.DefaultRegistries, in place of the registry of that
// name go-micro v5 ships, so --registry=etcd and MICRO_REGISTRY=etcd
// select it. It reads and writes the keys of v5's own etcd registry, so a
// fleet moves to it one service at a time.
package etcd
