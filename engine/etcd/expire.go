package etcd

import (
	"context"
	"time"

	"github.com/microreg/microreg/engine"
)

// expiryTick is how often the registry looks for its nodes registered with
// a RegisterTTL and not registered again within it.
const expiryTick = 250 * time.Millisecond

// expirer deletes this registry's nodes that were registered with a
// RegisterTTL and not registered again within it, as go-micro's TTL
// means: the process lives (its lease is kept alive) but has stopped
// registering the node. A killed process's nodes go with its lease
// instead. It runs until Close.
func (c *Registry) expirer() {
	defer c.wg.Done()
	t := time.NewTicker(expiryTick)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case now := <-t.C:
			c.expire(now)
		}
	}
}

// expire deletes the nodes whose deadline is past now.
func (c *Registry) expire(now time.Time) {
	c.mu.Lock()
	var due []string
	for k, m := range c.mine {
		if !m.deadline.IsZero() && now.After(m.deadline) {
			due = append(due, k)
		}
	}
	c.mu.Unlock()
	if len(due) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.timeout())
	defer cancel()
	cli, err := c.conn.client(ctx)
	if err != nil {
		return
	}
	c.opMu.Lock()
	defer c.opMu.Unlock()
	c.mu.Lock()
	still := due[:0]
	for _, k := range due { // registered again while the lock was awaited?
		if m := c.mine[k]; m != nil && !m.deadline.IsZero() && now.After(m.deadline) {
			still = append(still, k)
		}
	}
	c.mu.Unlock()
	if len(still) == 0 {
		return
	}
	if err := c.remove(ctx, cli, still); err != nil {
		c.logf(engine.WarnLevel, "etcd: expired nodes not deleted (retrying): %v", err)
		return
	}
	c.logf(engine.DebugLevel, "etcd: %d node(s) not registered again within their TTL deleted", len(still))
}
