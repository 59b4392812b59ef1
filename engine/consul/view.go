package consul

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/engine"
)

// How a registry keeps its views current while holding a bounded number
// of connections to its agent, however many services it views:
//
//   - a registry that views at most ViewQueries services (11 by default)
//     holds one blocking query per view (/v1/health/service/NAME). The
//     agent answers each from a view of that one service (its streaming
//     backend, on by default since Consul 1.10), so a change to any other
//     service in the catalog wakes none of them: it costs this registry and
//     its agent nothing, however large the catalog;
//   - past that, or for a watch of every service, change detection is
//     shared (shared.go): one blocking query on the health of every check
//     (/v1/health/state/any) and the catalog loop's on the service list
//     find which services changed, and two fetchers read only those. That
//     holds 4 long-lived connections whatever the number of views, but
//     every change anywhere in the catalog makes the agent read, and this
//     registry decode, every service check: O(catalog) a change.
//
// A registry with nodes of its own also holds the pulse (pulse.go), a
// blocking query on one of them. Its short calls (heartbeats, Register)
// reuse idle connections, of which the HTTP transport keeps at most
// maxIdlePerAgent. (A hard cap on connections was tried: a call queued
// behind long-lived queries could wait for minutes.)
const (
	fetchers        = 2
	maxIdlePerAgent = 4
)

// viewQueries is how many views hold a query of their own (ViewQueries).
func (c *Registry) viewQueries() int {
	if n, ok := engine.ContextValue[int](c.opts, viewQueriesKey{}); ok && n >= 0 {
		return n
	}
	return DefaultViewQueries
}

// view keeps one service's passing instances in the store.
type view struct {
	ready    chan struct{} // closed after the first answer
	once     sync.Once
	firstErr error              // set before ready closes if it failed
	cancel   context.CancelFunc // stops its own query (per-service mode)
	asked    bool               // asked for by name (GetService, WatchService), not only by a watch of every service; c.mu
	// unchecked: its last reading had an instance without a check of its
	// own, whose arrival or departure beside it no health change shows
	// (the catalog loop reads it again on every change of the catalog);
	// c.mu.
	unchecked bool
}

// settle closes ready once, with err if the first answer failed.
func (v *view) settle(err error) {
	v.once.Do(func() {
		v.firstErr = err
		close(v.ready)
	})
}

func (v *view) isReady() bool {
	select {
	case <-v.ready:
		return true
	default:
		return false
	}
}

// blockWait is how long one blocking query waits for a change.
const blockWait = 5 * time.Minute

// ensureView returns name's view, starting it if there is none: someone
// waits on it, so with shared change detection it is read first.
func (c *Registry) ensureView(name string) *view { return c.startView(name, true) }

// startView is ensureView; a view started in bulk (urgent false) is read
// after those someone waits on.
func (c *Registry) startView(name string, urgent bool) *view {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v := c.views[name]; v != nil {
		v.asked = v.asked || urgent
		return v
	}
	v := &view{ready: make(chan struct{}), asked: urgent}
	c.views[name] = v
	if c.closed {
		v.settle(engine.ErrClosed)
		return v
	}
	if !c.shared && len(c.views) > c.viewQueries() {
		c.shareLocked()
	}
	if c.shared {
		if urgent {
			c.fetches.urgent(name)
		} else {
			c.fetches.add(name)
		}
		return v
	}
	ctx, cancel := context.WithCancel(c.ctx)
	v.cancel = cancel
	c.wg.Add(1)
	go c.runView(ctx, name, v)
	return v
}

func (c *Registry) dropView(name string, v *view) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.views[name] == v {
		delete(c.views, name)
		if v.cancel != nil {
			v.cancel()
		}
	}
}

// reread queues a read of name's view, if it has one: at the front when
// the read follows a change (urgent) or the view was asked for by name, so
// a service someone looks up never waits behind a bulk reading of every
// service a watch-all follows.
func (c *Registry) reread(name string, urgent bool) {
	c.mu.Lock()
	v := c.views[name]
	front := v != nil && (urgent || v.asked)
	c.mu.Unlock()
	if v != nil {
		c.fetches.put(name, front)
	}
}

// runView keeps one view current with its own blocking query, until its
// context ends (Close, or the switch to shared change detection, which
// then answers a view not yet ready).
func (c *Registry) runView(ctx context.Context, name string, v *view) {
	defer c.wg.Done()
	var idx uint64
	var b backoff
	for {
		a, err := c.client()
		if err != nil {
			v.settle(err)
			return
		}
		var entries []*api.ServiceEntry
		var meta *api.QueryMeta
		err = a.read(ctx, func(cl *api.Client, q *api.QueryOptions) error {
			q.WaitIndex, q.WaitTime = idx, blockWait
			var err error
			entries, meta, err = cl.Health().Service(name, "", true, q)
			return err
		})
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			if c.readFailed(v, "watching", name, err) {
				return
			}
			// The agent may come back with its state reset and a lower
			// index; blocking on the old one would wait out blockWait.
			idx = 0
			if b.d == 0 {
				// The first failure of a streak ends the watchers' Next
				// once, so callers learn of it; the view keeps retrying.
				c.store.Fail(name, fmt.Errorf("consul: watching %s: %w", name, err))
			}
			if !b.wait(ctx, err) {
				return
			}
			continue
		}
		b.reset()
		c.apply(name, entries)
		v.settle(nil)
		idx = nextIndex(idx, meta)
	}
}

// apply puts a health query's answer for name in the store.
func (c *Registry) apply(name string, entries []*api.ServiceEntry) {
	services, err := fromEntries(name, entries)
	if err != nil {
		c.logf("consul: %s: %v", name, err)
	}
	c.mu.Lock()
	if v := c.views[name]; v != nil {
		v.unchecked = slices.ContainsFunc(entries, func(e *api.ServiceEntry) bool {
			return e.Service != nil && !slices.ContainsFunc(e.Checks, func(h *api.HealthCheck) bool { return h.ServiceID == e.Service.ID })
		})
	}
	c.mu.Unlock()
	_ = c.store.Replace(name, services)
}

// nextIndex is the index the next blocking query waits on: 0, to start
// over, when the index went back (a snapshot restore, an agent's state
// reset).
func nextIndex(idx uint64, meta *api.QueryMeta) uint64 {
	if meta.LastIndex < idx || meta.LastIndex == 0 {
		return 0
	}
	return meta.LastIndex
}

// readFailed handles a failed read of v's service: a view not ready yet
// settles with err (the GetService waiting on it returns it) and the
// result is true; a ready view keeps its last state, the failure is
// logged, and the caller retries.
func (c *Registry) readFailed(v *view, doing, name string, err error) (settled bool) {
	if !v.isReady() {
		v.settle(err)
		return true
	}
	c.logf("consul: %s %s: %v (retrying)", doing, name, err)
	return false
}
