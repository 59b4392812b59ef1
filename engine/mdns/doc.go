// Package mdns is the engine of microreg's mdns backend, free of go-micro:
// what github.com/microreg/microreg/mdns (the go-micro v4 face) runs, and
// where its reference lives.
package mdns
