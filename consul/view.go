package consul

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hashicorp/consul/api"
	"go-micro.dev/v4/logger"

	"github.com/microreg/microreg/registry"
)

// view keeps one service's passing instances in the store, current
// through blocking queries, until the registry closes.
type view struct {
	ready    chan struct{} // closed after the first answer
	firstErr error         // set before ready closes if it failed
	cancel   context.CancelFunc
}

// blockWait is how long one blocking query waits for a change.
const blockWait = 5 * time.Minute

func (c *consulRegistry) ensureView(name string) *view {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v := c.views[name]; v != nil {
		return v
	}
	ctx, cancel := context.WithCancel(c.ctx)
	v := &view{ready: make(chan struct{}), cancel: cancel}
	c.views[name] = v
	if c.closed {
		v.firstErr = registry.ErrClosed
		close(v.ready)
		return v
	}
	c.wg.Add(1)
	go c.runView(ctx, name, v)
	return v
}

func (c *consulRegistry) dropView(name string, v *view) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.views[name] == v {
		delete(c.views, name)
		v.cancel()
	}
}

func (c *consulRegistry) runView(ctx context.Context, name string, v *view) {
	defer c.wg.Done()
	var idx uint64
	first := true
	var b backoff
	for {
		a, err := c.client()
		if err != nil {
			if first {
				v.firstErr = err
				close(v.ready)
			}
			return
		}
		var entries []*api.ServiceEntry
		var meta *api.QueryMeta
		err = a.do(ctx, func(cl *api.Client) error {
			q := a.q(ctx)
			q.WaitIndex, q.WaitTime = idx, blockWait
			var err error
			entries, meta, err = cl.Health().Service(name, "", true, q)
			return err
		})
		if ctx.Err() != nil {
			if first {
				v.firstErr = ctx.Err()
				close(v.ready)
			}
			return
		}
		if err != nil {
			if first {
				v.firstErr = err
				close(v.ready)
				return
			}
			c.logf("consul: watching %s: %v (retrying)", name, err)
			// The agent may come back with its state reset and a lower
			// index; blocking on the old one would wait out blockWait.
			idx = 0
			if b.d == 0 {
				// The first failure of a streak ends the watchers, so
				// callers learn of it; the view keeps retrying.
				c.store.Fail(name, fmt.Errorf("consul: watching %s: %w", name, err))
			}
			if !b.wait(ctx, err) {
				return
			}
			continue
		}
		if b.d > 0 {
			c.agentBack() // it answers again: own nodes are checked at once
		}
		b.reset()
		services, derr := fromEntries(name, entries)
		if derr != nil {
			c.logf("consul: %s: %v", name, derr)
		}
		_ = c.store.Replace(name, services)
		if first {
			first = false
			close(v.ready)
		}
		if meta.LastIndex < idx || meta.LastIndex == 0 {
			idx = 0 // the index went back (a snapshot restore): start over
		} else {
			idx = meta.LastIndex
		}
	}
}

// ensureCatalog starts the watch of the service list, which keeps a view
// of every service.
func (c *consulRegistry) ensureCatalog() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.catalog || c.closed {
		return
	}
	c.catalog = true
	c.wg.Add(1)
	go c.runCatalog(c.ctx)
}

func (c *consulRegistry) runCatalog(ctx context.Context) {
	defer c.wg.Done()
	var idx uint64
	var b backoff
	known := map[string]bool{}
	for {
		a, err := c.client()
		if err != nil {
			return
		}
		var names map[string][]string
		var meta *api.QueryMeta
		err = a.do(ctx, func(cl *api.Client) error {
			q := a.q(ctx)
			q.WaitIndex, q.WaitTime = idx, blockWait
			var err error
			names, meta, err = cl.Catalog().Services(q)
			return err
		})
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			c.logf("consul: watching the catalog: %v (retrying)", err)
			idx = 0
			if b.d == 0 {
				c.store.Fail("", fmt.Errorf("consul: watching the catalog: %w", err))
			}
			if !b.wait(ctx, err) {
				return
			}
			continue
		}
		if b.d > 0 {
			c.agentBack()
		}
		b.reset()
		for name := range names {
			if name != "consul" && !known[name] {
				known[name] = true
				c.ensureView(name)
			}
		}
		for name := range known {
			if _, ok := names[name]; !ok {
				delete(known, name)
				c.mu.Lock()
				v := c.views[name]
				c.mu.Unlock()
				if v != nil {
					c.dropView(name, v)
				}
				_ = c.store.Replace(name, nil)
			}
		}
		if meta.LastIndex < idx || meta.LastIndex == 0 {
			idx = 0
		} else {
			idx = meta.LastIndex
		}
	}
}

// backoff waits between failed queries, with jitter so that a registry's
// loops do not retry in step: while the agent refuses connections (it is
// down or restarting) at most 1 s, so that views are current within a
// second of its return; while it answers but cannot serve (429, 5xx) up to
// 10 s, so a busy agent is not hammered.
type backoff struct{ d time.Duration }

func (b *backoff) reset() { b.d = 0 }

func (b *backoff) wait(ctx context.Context, err error) bool {
	ceiling := time.Second
	if busy(err) {
		ceiling = 10 * time.Second
	}
	b.d = min(max(b.d*2, 100*time.Millisecond), ceiling)
	t := time.NewTimer(b.d/2 + rand.N(b.d/2))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (c *consulRegistry) logf(format string, args ...any) {
	if l := c.Options().Logger; l != nil {
		l.Logf(logger.WarnLevel, format, args...)
	}
}
