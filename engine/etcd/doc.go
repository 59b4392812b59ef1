// Package etcd is the engine of microreg's etcd backend, free of go-micro:
// what github.com/microreg/microreg/etcd (the go-micro v4 face) and its
// go-micro v5 face run, and where its reference lives.
package etcd
