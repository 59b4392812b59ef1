package consul

import (
	"context"
	"net/http"
	"time"

	"github.com/hashicorp/consul/api"
)

// The pulse is how a registry with nodes of its own learns at once that
// its agent is back: one blocking query on one of its own nodes on the
// local agent (/v1/agent/service/ID, hash-based), which the agent answers
// only when that node's registration changes. When the agent dies the
// connection breaks, the query is retried every pulseRetry (a refused
// connection each time), and the first answer after a failure, or the
// agent's not knowing the node (it came back empty), makes every heartbeat
// beat at once: own nodes are registered again, passing, well within a
// second of the agent's return, instead of at their next heartbeat. It costs the agent nothing when
// anything else in the catalog changes, and holds one connection while
// the registry has a node.

// startPulseLocked starts the pulse if it is not running, and wakes it if
// it waits for a node. c.mu is held.
func (c *Registry) startPulseLocked() {
	if c.closed {
		return
	}
	if !c.pulseOn {
		c.pulseOn = true
		c.pulseWake = make(chan struct{}, 1)
		c.wg.Add(1)
		go c.runPulse(c.ctx)
		return
	}
	select {
	case c.pulseWake <- struct{}{}:
	default:
	}
}

// pulseNode returns the node the pulse watches: cur while this registry
// still keeps it registered, otherwise any of its nodes, "" for none.
func (c *Registry) pulseNode(cur string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.heartbeats[cur] != nil {
		return cur
	}
	for id := range c.heartbeats {
		return id
	}
	return ""
}

// pulseRetry is how often the pulse tries a down agent again.
const pulseRetry = 250 * time.Millisecond

func (c *Registry) runPulse(ctx context.Context) {
	defer c.wg.Done()
	b := backoff{down: pulseRetry}
	var id, hash string
	for {
		next := c.pulseNode(id)
		if next == "" {
			// No node of our own: hold no connection until one comes.
			select {
			case <-c.pulseWake:
				continue
			case <-ctx.Done():
				return
			}
		}
		if next != id {
			id, hash = next, ""
		}
		a, err := c.client()
		if err != nil {
			return
		}
		var meta *api.QueryMeta
		err = a.do(ctx, func(cl *api.Client) error {
			q := a.q(ctx)
			q.WaitHash, q.WaitTime = hash, blockWait
			var err error
			_, meta, err = cl.Agent().Service(id, q)
			return err
		})
		if ctx.Err() != nil {
			return
		}
		switch {
		case err == nil:
			if b.d > 0 {
				c.agentBack() // the agent answers again
			}
			b.reset()
			hash = meta.LastContentHash
			continue
		case statusCode(err) == http.StatusNotFound:
			// The agent does not know the node: it came back empty (the
			// heartbeats register every node again), or the node was
			// deregistered meanwhile (another is watched).
			if c.pulseNode(id) == id {
				c.agentBack()
			} else {
				id, hash = "", ""
				continue
			}
		}
		hash = ""
		if !b.wait(ctx, err) {
			return
		}
	}
}
