package gossip

// Crash stops r's node the way a killed process does: no leave message,
// sockets closed, goroutines gone.
func Crash(g *Registry) {
	g.mu.Lock()
	g.closed = true
	ml := g.ml
	g.mu.Unlock()
	close(g.done)
	g.wg.Wait()
	g.silenced.Store(true)
	_ = ml.Shutdown()
	_ = g.store.Close()
}

// DeliverDeathHint hands r a death hint about member m, as if gossiped by
// another member that found m dead.
func DeliverDeathHint(g, dead *Registry) {
	n := dead.ml.LocalNode()
	delegate{g}.NotifyMsg(encodeDeathHint(nodeCopy(n), dead.epoch))
}

// Checking returns how many hinted members r is checking.
func Checking(g *Registry) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.checking)
}
