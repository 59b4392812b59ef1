package mdns

import "github.com/microreg/microreg/registry"

// Crash stops r the way a killed process stops: sockets closed, no
// goodbye sent.
func Crash(r registry.Registry) {
	m := r.(*Registry)
	m.mu.Lock()
	m.own = map[string]*ownNode{}
	m.mu.Unlock()
	_ = m.Close()
}
