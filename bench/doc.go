// Package bench compares microreg's backends with the registries they
// replace, in the same run on the same machine: go-micro's built-in memory
// and mdns registries and the go-micro plugins for consul and gossip.
// See README.md for the commands and the figures.
package bench
