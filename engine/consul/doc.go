// Package consul is the engine of microreg's consul backend, free of go-micro:
// what github.com/microreg/microreg/consul (the go-micro v4 face) runs, and
// where its reference lives.
package consul
