package consul

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/consul/api"
)

// Shared change detection (see view.go): one blocking query on the health
// of every service check (/v1/health/state/any) tells which services
// changed (an instance added or removed, a check passing or failing, a
// microreg node registered again with other data, whose check notes
// carry a digest of the registration); the catalog loop adds services
// whose tags changed and, on any change of the catalog, services with an
// instance that has no check of its own; two fetchers read only those
// services (/v1/health/service/NAME, not blocking). A view asked for by
// name is read before the views a watch of every service follows.

// resyncEvery is how often every view is read again while change detection
// is shared, for the one change neither query shows: an instance someone
// else registered again with another address or Meta but the same tags and
// checks.
const resyncEvery = 5 * time.Minute

// shareLocked switches to shared change detection: the views' own queries
// stop, the health loop and the fetchers start, and every view is read.
// c.mu is held.
func (c *Registry) shareLocked() {
	c.shared = true
	c.startCatalogLocked()
	for name, v := range c.views {
		if v.cancel != nil {
			v.cancel()
			v.cancel = nil
		}
		c.fetches.put(name, v.asked)
	}
	c.wg.Add(1 + fetchers)
	go c.runHealth(c.ctx)
	for i := 0; i < fetchers; i++ {
		go c.fetcher(c.ctx)
	}
}

func (c *Registry) runHealth(ctx context.Context) {
	defer c.wg.Done()
	var idx uint64
	var b backoff
	var prev map[string]string
	resync := time.Now().Add(resyncEvery)
	for {
		a, err := c.client()
		if err != nil {
			return
		}
		var checks api.HealthChecks
		var meta *api.QueryMeta
		err = a.do(ctx, func(cl *api.Client) error {
			q := a.q(ctx)
			q.WaitIndex, q.WaitTime = idx, blockWait
			q.Filter = `ServiceName != ""`
			var err error
			checks, meta, err = cl.Health().State(api.HealthAny, q)
			return err
		})
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			c.logf("consul: watching the health of services: %v (retrying)", err)
			idx = 0
			if b.d == 0 {
				c.store.Fail("", fmt.Errorf("consul: watching the health of services: %w", err))
			}
			if !b.wait(ctx, err) {
				return
			}
			continue
		}
		b.reset()
		next := fingerprints(checks)
		urgent := prev != nil // the first answer: every service, in bulk
		for name, fp := range next {
			if old, ok := prev[name]; !ok || old != fp {
				c.reread(name, urgent)
			}
		}
		for name := range prev {
			if _, ok := next[name]; !ok {
				c.reread(name, urgent)
			}
		}
		prev = next
		if time.Now().After(resync) {
			resync = time.Now().Add(resyncEvery)
			c.mu.Lock()
			for name := range c.views {
				c.fetches.add(name)
			}
			c.mu.Unlock()
		}
		idx = nextIndex(idx, meta)
	}
}

// fingerprints sums up each service's checks: which, on which node, in
// which state, changed when.
func fingerprints(checks api.HealthChecks) map[string]string {
	parts := map[string][]string{}
	for _, h := range checks {
		parts[h.ServiceName] = append(parts[h.ServiceName], fmt.Sprintf("%s/%s/%s/%s/%d", h.Node, h.ServiceID, h.CheckID, h.Status, h.ModifyIndex))
	}
	out := make(map[string]string, len(parts))
	for name, p := range parts {
		sort.Strings(p)
		out[name] = strings.Join(p, ";")
	}
	return out
}

// fetcher reads the services queued, one at a time, until Close.
func (c *Registry) fetcher(ctx context.Context) {
	defer c.wg.Done()
	for {
		name, ok := c.fetches.take(ctx)
		if !ok {
			return
		}
		c.fetch(ctx, name)
		c.fetches.done(name)
	}
}

// fetch reads one service's passing instances into its view. A view not
// answered yet gets the error; one that was is read again a second later.
func (c *Registry) fetch(ctx context.Context, name string) {
	c.mu.Lock()
	v := c.views[name]
	c.mu.Unlock()
	if v == nil {
		return
	}
	a, err := c.client()
	if err != nil {
		v.settle(err)
		return
	}
	callCtx, cancel := c.callCtx(ctx)
	defer cancel()
	var entries []*api.ServiceEntry
	err = a.readFresh(callCtx, func(cl *api.Client, q *api.QueryOptions) error {
		var err error
		entries, _, err = cl.Health().Service(name, "", true, q)
		return err
	})
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		if !c.readFailed(v, "reading", name, err) {
			c.fetches.later(ctx, name, time.Second)
		}
		return
	}
	c.apply(name, entries)
	v.settle(nil)
}

// fetchQueue is the set of services to read, each once however often it
// is added; a service added while being read is read again after.
type fetchQueue struct {
	mu       sync.Mutex
	pending  []string
	queued   map[string]bool
	inflight map[string]bool
	again    map[string]bool
	wake     chan struct{}
	wg       *sync.WaitGroup
}

func newFetchQueue(wg *sync.WaitGroup) *fetchQueue {
	return &fetchQueue{queued: map[string]bool{}, inflight: map[string]bool{}, again: map[string]bool{},
		wake: make(chan struct{}, 1), wg: wg}
}

// add queues name at the back: a view read in bulk (the first reading of
// every service, a resync).
func (q *fetchQueue) add(name string) { q.put(name, false) }

// urgent queues name at the front: a change, or a view someone waits on,
// does not wait behind a bulk reading of every service.
func (q *fetchQueue) urgent(name string) { q.put(name, true) }

func (q *fetchQueue) put(name string, front bool) {
	q.mu.Lock()
	switch {
	case q.inflight[name]:
		q.again[name] = true
	case !q.queued[name]:
		q.queued[name] = true
		if front {
			q.pending = append([]string{name}, q.pending...)
		} else {
			q.pending = append(q.pending, name)
		}
	case front:
		// Already queued: move it to the front.
		if i := slices.Index(q.pending, name); i > 0 {
			q.pending = append(append([]string{name}, q.pending[:i]...), q.pending[i+1:]...)
		}
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take returns the next service to read, or false when ctx ends.
func (q *fetchQueue) take(ctx context.Context) (string, bool) {
	for {
		q.mu.Lock()
		if len(q.pending) > 0 {
			name := q.pending[0]
			q.pending = q.pending[1:]
			delete(q.queued, name)
			q.inflight[name] = true
			more := len(q.pending) > 0
			q.mu.Unlock()
			if more {
				select {
				case q.wake <- struct{}{}:
				default:
				}
			}
			return name, true
		}
		q.mu.Unlock()
		select {
		case <-q.wake:
		case <-ctx.Done():
			return "", false
		}
	}
}

// done ends a read of name, queueing it again if it was added meanwhile.
func (q *fetchQueue) done(name string) {
	q.mu.Lock()
	delete(q.inflight, name)
	again := q.again[name]
	delete(q.again, name)
	q.mu.Unlock()
	if again {
		q.urgent(name)
	}
}

// later adds name after d, unless ctx ends first.
func (q *fetchQueue) later(ctx context.Context, name string, d time.Duration) {
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			q.add(name)
		case <-ctx.Done():
		}
	}()
}
