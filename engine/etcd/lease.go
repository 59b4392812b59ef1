package etcd

import (
	"context"
	"errors"
	"math"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/microreg/microreg/engine"
)

// lease is the registry's one lease: every node it registers is attached
// to it, and one KeepAlive stream (clientv3 sends every lease of a client
// on one) keeps it alive, however many nodes there are and however often
// go-micro re-registers them. It is revoked when the last node is
// deregistered and on Close, which removes every node at once.
type lease struct {
	id     clientv3.LeaseID
	ttl    int64 // seconds
	cancel context.CancelFunc
	done   chan struct{} // closed when its keepalive loop has ended
}

// owned is a node this registry registered.
type owned struct {
	name     string
	val      []byte
	lease    clientv3.LeaseID // the lease it was last written with
	deadline time.Time        // when it expires unless registered again; zero for never
}

// ttlSeconds is d as a lease TTL: whole seconds, rounded up.
func ttlSeconds(d time.Duration) int64 {
	return max(1, int64(math.Ceil(d.Seconds())))
}

// grant makes a lease of ttl seconds and starts keeping it alive; c.opMu
// is held.
func (c *Registry) grant(ctx context.Context, cli *clientv3.Client, ttl int64) (*lease, error) {
	resp, err := cli.Grant(ctx, ttl)
	if err != nil {
		return nil, classify("grant a lease", err)
	}
	kctx, cancel := context.WithCancel(c.ctx)
	ch, err := cli.KeepAlive(kctx, resp.ID)
	if err != nil {
		cancel()
		return nil, classify("keep the lease alive", err)
	}
	l := &lease{id: resp.ID, ttl: ttl, cancel: cancel, done: make(chan struct{})}
	c.wg.Add(1)
	go c.keepAlive(l, ch)
	c.logf(engine.DebugLevel, "etcd: lease %x granted, TTL %d s", int64(l.id), resp.TTL)
	return l, nil
}

// keepAlive drains the lease's keepalive answers; the channel closes when
// the lease is gone (expired during a partition, revoked by someone else,
// etcd restored from an older snapshot) or when it was let go.
func (c *Registry) keepAlive(l *lease, ch <-chan *clientv3.LeaseKeepAliveResponse) {
	defer c.wg.Done()
	defer close(l.done)
	for range ch {
		c.keepalives.Add(1)
	}
	if c.ctx.Err() == nil && c.drop(l) {
		c.repair()
	}
}

// drop forgets l, which etcd no longer has, if it is the current lease
// (and says whether it was): the next write grants a new lease.
func (c *Registry) drop(l *lease) bool {
	c.mu.Lock()
	current := c.lease == l
	if current {
		c.lease = nil
	}
	c.mu.Unlock()
	if current {
		l.cancel()
		c.leasesLost.Add(1)
		c.logf(engine.WarnLevel, "etcd: lease %x lost; registering this registry's nodes again", int64(l.id))
	}
	return current
}

// letGo stops keeping l alive and revokes it, which deletes every key
// still attached to it.
func (c *Registry) letGo(ctx context.Context, cli *clientv3.Client, l *lease) error {
	l.cancel()
	if cli == nil {
		return nil
	}
	_, err := cli.Revoke(ctx, l.id)
	return classify("revoke the lease", err)
}

// repair asks the keeper to put back what is missing.
func (c *Registry) repair() {
	select {
	case c.repairs <- struct{}{}:
	default:
	}
}

// changedKeys is told by the view of the keys an event deleted and of
// those it wrote on a lease (keys is the view's, v.mu held): one of this
// registry's nodes deleted while it is registered (by an expired lease, a
// restore from an older snapshot, or another client) is written again,
// and a key on this registry's lease that it does not hold (a write whose
// Register timed out, committed after all) is deleted.
func (c *Registry) changedKeys(lost, put []string, keys map[string]entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range lost {
		if _, ok := c.mine[k]; ok {
			c.repair()
			return
		}
	}
	if c.lease == nil {
		return
	}
	for _, k := range put {
		if _, ok := c.mine[k]; !ok && keys[k].lease == int64(c.lease.id) {
			c.repair()
			return
		}
	}
}

// keeper puts this registry's nodes back whenever it is asked to (a lost
// lease, a deleted key, a relisting), until Close.
func (c *Registry) keeper() {
	defer c.wg.Done()
	backoff := 100 * time.Millisecond
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-c.repairs:
		}
		ctx, cancel := context.WithTimeout(c.ctx, c.timeout())
		n, err := c.restore(ctx)
		cancel()
		switch {
		case err != nil && c.ctx.Err() == nil:
			c.logf(engine.WarnLevel, "etcd: could not register this registry's nodes again (retrying in %v): %v", backoff, err)
			if !sleep(c.ctx, backoff) {
				return
			}
			backoff = min(2*backoff, 5*time.Second)
			c.repair()
		case err == nil:
			backoff = 100 * time.Millisecond
			if n > 0 {
				c.reregistered.Add(int64(n))
				c.logf(engine.InfoLevel, "etcd: %d node(s) registered again", n)
			}
		}
	}
}

// restore makes sure every owned node is in etcd under the current lease,
// granting one if there is none; it returns how many it wrote.
func (c *Registry) restore(ctx context.Context) (int, error) {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	c.mu.Lock()
	empty := len(c.mine) == 0
	c.mu.Unlock()
	if empty || c.ctx.Err() != nil {
		return 0, nil
	}
	cli, err := c.conn.client(ctx)
	if err != nil {
		return 0, err
	}
	return c.restoreLocked(ctx, cli)
}

// restoreLocked is restore with c.opMu held and the client in hand. A
// lease etcd no longer has (revoked, expired) is dropped at once, before
// its keepalive stream says so, and the nodes go on a new one.
func (c *Registry) restoreLocked(ctx context.Context, cli *clientv3.Client) (int, error) {
	n, err := c.restoreOnce(ctx, cli)
	if errors.Is(err, rpctypes.ErrLeaseNotFound) {
		n, err = c.restoreOnce(ctx, cli)
	}
	return n, err
}

// restoreOnce is one pass of restoreLocked.
func (c *Registry) restoreOnce(ctx context.Context, cli *clientv3.Client) (int, error) {
	l, err := c.currentLease(ctx, cli, 0)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	leases := make(map[string]clientv3.LeaseID, len(c.mine))
	for k, m := range c.mine {
		leases[k] = m.lease
	}
	c.mu.Unlock()
	var todo []string
	for k, was := range leases {
		if was != l.id || !c.view.has(k, int64(l.id)) {
			todo = append(todo, k)
		}
	}
	var last int64
	for _, k := range todo {
		rev, err := c.put(ctx, cli, k, l)
		if err != nil {
			return 0, err
		}
		last = max(last, rev)
	}
	for _, k := range c.view.onLease(int64(l.id)) {
		c.mu.Lock()
		_, ok := c.mine[k]
		c.mu.Unlock()
		if ok {
			continue
		}
		// A stray: on this lease, but not registered (its Register
		// failed, and the write was committed after all).
		// Only while it is still on this lease: another registry may
		// have written it since.
		resp, err := cli.Txn(ctx).If(clientv3.Compare(clientv3.LeaseValue(k), "=", int64(l.id))).
			Then(clientv3.OpDelete(k)).Commit()
		if err != nil {
			return 0, classify("delete "+k, err)
		}
		if resp.Succeeded {
			c.logf(engine.InfoLevel, "etcd: %s deleted: written by a Register that failed", k)
		}
		last = max(last, resp.Header.Revision)
	}
	c.view.waitRev(ctx, last)
	c.retire(ctx, cli)
	return len(todo), nil
}

// currentLease returns the lease to write with: the one held, or a new one
// when there is none or ttl (seconds, 0 for the one held or the default)
// asks for another TTL, in which case the old lease is let go once every
// node is written under the new one (restore does it). c.opMu is held.
func (c *Registry) currentLease(ctx context.Context, cli *clientv3.Client, ttl int64) (*lease, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, engine.ErrClosed
	}
	l := c.lease
	if ttl == 0 {
		ttl = c.leaseTTL
	}
	c.mu.Unlock()
	if l != nil && l.ttl == ttl {
		return l, nil
	}
	nl, err := c.grant(ctx, cli, ttl)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.lease, c.leaseTTL = nl, ttl
	c.mu.Unlock()
	if l != nil {
		c.retired = append(c.retired, l)
	}
	return nl, nil
}

// put writes owned node key under l; c.opMu is held.
func (c *Registry) put(ctx context.Context, cli *clientv3.Client, key string, l *lease) (int64, error) {
	c.mu.Lock()
	m := c.mine[key]
	c.mu.Unlock()
	if m == nil {
		return 0, nil
	}
	resp, err := cli.Put(ctx, key, string(m.val), clientv3.WithLease(l.id))
	if errors.Is(err, rpctypes.ErrLeaseNotFound) {
		c.drop(l)
	}
	if err != nil {
		return 0, classify("put "+key, err)
	}
	c.mu.Lock()
	m.lease = l.id
	c.mu.Unlock()
	return resp.Header.Revision, nil
}

// retire revokes leases no node is written under any more; c.opMu is
// held.
func (c *Registry) retire(ctx context.Context, cli *clientv3.Client) {
	c.mu.Lock()
	inUse := map[clientv3.LeaseID]bool{}
	for _, m := range c.mine {
		inUse[m.lease] = true
	}
	c.mu.Unlock()
	kept := c.retired[:0]
	for _, l := range c.retired {
		if inUse[l.id] {
			kept = append(kept, l)
			continue
		}
		if err := c.letGo(ctx, cli, l); err != nil {
			c.logf(engine.DebugLevel, "etcd: old lease %x not revoked (it expires): %v", int64(l.id), err)
		}
	}
	c.retired = kept
}
