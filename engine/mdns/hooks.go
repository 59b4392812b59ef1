package mdns

import "github.com/microreg/microreg/internal/testhook"

func init() { testhook.MDNSCrash = func(r any) { crash(r.(*Registry)) } }

// crash stops r the way a killed process stops: sockets closed, no
// goodbye sent.
func crash(m *Registry) {
	m.mu.Lock()
	m.own = map[string]*ownNode{}
	m.mu.Unlock()
	_ = m.Close()
}
