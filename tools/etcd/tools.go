//go:build tools

// Package tools pins go.etcd.io/etcd/server/v3 so that
// `go build -o BIN go.etcd.io/etcd/server/v3` builds a reproducible etcd
// binary from this module's go.sum.
package tools

import (
	_ "go.etcd.io/etcd/etcdutl/v3"
	_ "go.etcd.io/etcd/server/v3"
)
