// Package memory is the engine of microreg's memory backend, free of go-micro:
// what github.com/microreg/microreg/memory (the go-micro v4 face) runs, and
// where its reference lives.
package memory
