//go:build tools

// Package tools pins github.com/hashicorp/consul so that
// `go build -o BIN github.com/hashicorp/consul` builds a reproducible binary
// from this module's go.sum.
package tools

import _ "github.com/hashicorp/consul"
