package consul

import (
	"context"

	"github.com/hashicorp/consul/api"
)

// A registry with nodes of its own holds one blocking query on the
// agent's catalog, the agent's pulse: when the agent dies the connection
// breaks at once, the query is retried within a second (backoff), and the
// first answer after a failure, or an index that went back (the agent's
// state was reset), makes every heartbeat beat at once. So own nodes are
// registered again, passing, within about a second of an agent's return,
// not at their next heartbeat.

// pulse runs until Close; startHeartbeat starts it with the first node.
func (c *consulRegistry) pulse(ctx context.Context) {
	defer c.wg.Done()
	var idx uint64
	var b backoff
	for {
		a, err := c.client()
		if err != nil {
			return
		}
		var meta *api.QueryMeta
		err = a.do(ctx, func(cl *api.Client) error {
			q := a.q(ctx)
			q.WaitIndex, q.WaitTime = idx, blockWait
			var err error
			_, meta, err = cl.Catalog().Services(q)
			return err
		})
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			idx = 0
			if !b.wait(ctx, err) {
				return
			}
			continue
		}
		if b.d > 0 || (idx > 0 && meta.LastIndex < idx) {
			c.agentBack()
		}
		b.reset()
		idx = meta.LastIndex
	}
}
