// Package gossip is the engine of microreg's gossip backend, free of go-micro:
// what github.com/microreg/microreg/gossip (the go-micro v4 face) runs, and
// where its reference lives.
package gossip
