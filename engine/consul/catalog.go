package consul

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/consul/api"
)

// The catalog loop is one blocking query on the service list
// (/v1/catalog/services), run once change detection is shared (more views
// than ViewQueries, or a watch of every service), until Close. Its index
// moves at every registration anywhere in the catalog, so a registry that
// views a few services never runs it. It is
//   - the list a watch of every service follows: a view for each new
//     name, and a service gone from the list gone from the store;
//   - a source of changes: a service whose tags changed (go-micro's
//     consul plugin keeps its data in tags) is read again, and so, on any
//     change of the catalog, is a service with an instance that has no
//     check of its own;
//   - a sign of the agent's return: the first answer after a failure, or
//     an index that went back (the agent's state was reset), makes every
//     heartbeat beat at once and every view be read again.

// startCatalogLocked starts the catalog loop if it is not running. c.mu
// is held.
func (c *Registry) startCatalogLocked() {
	if c.catalogOn || c.closed {
		return
	}
	c.catalogOn = true
	c.wg.Add(1)
	go c.runCatalog(c.ctx)
}

func (c *Registry) runCatalog(ctx context.Context) {
	defer c.wg.Done()
	var idx uint64
	var b backoff
	var prev map[string][]string
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
			if c.watchingAll() {
				c.logf("consul: watching the catalog: %v (retrying)", err)
				if b.d == 0 {
					c.store.Fail("", fmt.Errorf("consul: watching the catalog: %w", err))
				}
			}
			idx = 0
			if !b.wait(ctx, err) {
				return
			}
			continue
		}
		if b.d > 0 || (idx > 0 && meta.LastIndex < idx) {
			c.agentBack()
			prev = nil // read every view again
		}
		b.reset()
		c.catalogMu.Lock()
		c.onCatalog(names, prev)
		c.catalogLast = names
		c.catalogMu.Unlock()
		prev = names
		idx = nextIndex(idx, meta)
	}
}

// onCatalog acts on a new service list (prev: the one before, nil to
// treat everything as changed).
func (c *Registry) onCatalog(names, prev map[string][]string) {
	delete(names, "consul")
	c.mu.Lock()
	all, shared := c.watchAll, c.shared
	var gone []string
	for name, v := range c.views {
		// A view only the watch of every service follows goes with its
		// service; one asked for by name stays (read again below, to
		// nothing): a GetService may be waiting on its first reading.
		if _, ok := names[name]; !ok && all && !v.asked {
			gone = append(gone, name)
			delete(c.views, name)
			if v.cancel != nil {
				v.cancel()
			}
			v.settle(nil)
		}
	}
	c.mu.Unlock()
	for _, name := range gone {
		_ = c.store.Replace(name, nil)
	}
	for name, tags := range names {
		old, known := prev[name]
		if all {
			c.startView(name, prev != nil) // a new service: urgent; the first list: bulk
		}
		if shared && (!known || !slices.Equal(old, tags)) {
			c.reread(name, prev != nil)
		}
	}
	if shared && prev != nil {
		// A viewed service no longer listed: read it (to nothing).
		for name := range prev {
			if _, ok := names[name]; !ok {
				c.reread(name, true)
			}
		}
		// An instance without a check that came or went beside another
		// of its service changes neither the list's tags nor any check:
		// read again the services that have such instances.
		c.mu.Lock()
		var unchecked []string
		for name, v := range c.views {
			if v.unchecked {
				unchecked = append(unchecked, name)
			}
		}
		c.mu.Unlock()
		for _, name := range unchecked {
			c.reread(name, true)
		}
	}
}

// watchingAll reports whether a watch of every service was started.
func (c *Registry) watchingAll() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.watchAll
}

// ensureWatchAll starts following the whole service list.
func (c *Registry) ensureWatchAll() {
	c.mu.Lock()
	if c.watchAll || c.closed {
		c.mu.Unlock()
		return
	}
	c.watchAll = true
	c.startCatalogLocked()
	if !c.shared {
		c.shareLocked()
	}
	c.mu.Unlock()
	// The loop may be blocked on a list it already has: act on that one
	// now, as a first list. (Reading a list of our own instead raced the
	// loop: an older list acted on after a newer one dropped the views of
	// the services between them.) A list the loop acts on later sees
	// watchAll set.
	c.catalogMu.Lock()
	defer c.catalogMu.Unlock()
	if c.catalogLast != nil {
		c.onCatalog(c.catalogLast, nil)
	}
}
