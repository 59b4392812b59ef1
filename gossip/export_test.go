package gossip

import "github.com/microreg/microreg/registry"

// Crash stops r's node the way a killed process does: no leave message,
// sockets closed, goroutines gone.
func Crash(r registry.Registry) {
	g := r.(*gossipRegistry)
	g.mu.Lock()
	g.closed = true
	ml := g.ml
	g.mu.Unlock()
	close(g.done)
	g.wg.Wait()
	_ = ml.Shutdown()
	_ = g.store.Close()
}
