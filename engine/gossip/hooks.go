package gossip

import "github.com/microreg/microreg/internal/testhook"

func init() {
	testhook.GossipCrash = func(g any) { crash(g.(*Registry)) }
	testhook.GossipDeliverDeathHint = func(g, dead any) { deliverDeathHint(g.(*Registry), dead.(*Registry)) }
	testhook.GossipChecking = func(g any) int { return checking(g.(*Registry)) }
}

// crash stops r's node the way a killed process does: no leave message,
// sockets closed, goroutines gone.
func crash(g *Registry) {
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

// deliverDeathHint hands r a death hint about member m, as if gossiped by
// another member that found m dead.
func deliverDeathHint(g, dead *Registry) {
	n := dead.ml.LocalNode()
	delegate{g}.NotifyMsg(encodeDeathHint(nodeCopy(n), dead.epoch))
}

// checking returns how many hinted members r is checking.
func checking(g *Registry) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.checking)
}
