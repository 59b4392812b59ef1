package etcd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/microreg/microreg/engine"
)

// Name is the backend's name in the registry table and String().
const Name = "etcd"

// Registry is the etcd backend: engine.Registry, plus Close and Diagnose.
// New returns one; Open returns one even when it cannot start.
type Registry struct {
	store *engine.Store
	conn  *conn
	view  *view

	mu        sync.Mutex
	opts      engine.Options
	prefix    string
	configErr error
	viewOn    bool
	closed    bool
	lease     *lease            // nil until a node is registered, and after the last leaves
	leaseTTL  int64             // seconds, for the next lease
	mine      map[string]*owned // key -> a node this registry registered

	opMu    sync.Mutex // orders writes: Register, Deregister, the keeper, Close
	retired []*lease   // leases being replaced; opMu

	repairs chan struct{}

	keepalives   atomic.Int64 // keepalive answers received
	leasesLost   atomic.Int64
	reregistered atomic.Int64 // nodes written again after a loss

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Open returns a registry talking to etcd at engine.Addrs, or
// ETCD_ENDPOINTS, or MICRO_REGISTRY_ADDRESS, or 127.0.0.1:2379. It does
// not wait for etcd. A bad configuration is reported by every call
// (wrapping ErrConfig).
func Open(opts ...engine.Option) *Registry { return open(opts) }

// New is Open that returns a bad configuration (ErrConfig) at once
// instead of from every call. It does not wait for etcd either: a registry
// built while etcd is down works once etcd is back.
func New(opts ...engine.Option) (*Registry, error) {
	c := open(opts)
	if c.configErr != nil {
		_ = c.Close()
		return nil, c.configErr
	}
	return c, nil
}

func open(opts []engine.Option) *Registry {
	o := *engine.NewOptions(opts...)
	c := &Registry{
		store:   engine.NewStoreFor(o),
		opts:    o,
		mine:    map[string]*owned{},
		repairs: make(chan struct{}, 1),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.view = newView(c)
	c.prefix, c.leaseTTL, c.configErr = settings(o)
	if c.configErr != nil {
		return c
	}
	cfg, err := clientConfig(o)
	if err != nil {
		c.configErr = err
		return c
	}
	c.conn = newConn(cfg)
	if !c.conn.needsDial() {
		if c.configErr = c.conn.make(c.timeout()); c.configErr != nil {
			return c
		}
	} else {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.conn.dial(c.ctx, c.timeout(), func(err error) {
				c.logf(engine.DebugLevel, "etcd: no client yet: %v", err)
			})
		}()
	}
	c.wg.Add(2)
	go c.keeper()
	go c.expirer()
	return c
}

// settings are the prefix and default lease TTL o asks for.
func settings(o engine.Options) (string, int64, error) {
	if err := engine.CheckOptions(o, Name); err != nil {
		return "", 0, err
	}
	prefix := DefaultPrefix
	if p, ok := engine.ContextValue[string](o, prefixKey{}); ok {
		if err := checkPrefix(p); err != nil {
			return "", 0, err
		}
		prefix = p
	}
	ttl := DefaultLeaseTTL
	if d, ok := engine.ContextValue[time.Duration](o, leaseTTLKey{}); ok {
		if d <= 0 {
			return "", 0, fmt.Errorf("%w: etcd.LeaseTTL %v is not positive", ErrConfig, d)
		}
		ttl = d
	}
	if o.Timeout < 0 {
		return "", 0, fmt.Errorf("%w: a negative timeout %v", ErrConfig, o.Timeout)
	}
	return prefix, ttlSeconds(ttl), nil
}

// Init applies opts: new addresses and a new timeout take effect for
// every later call, and the view and the lease move to the new endpoints.
// Options that choose how the registry connects (etcd.Auth, etcd.Config,
// etcd.Prefix, TLS) apply only when it is built: given to Init, they are
// an error wrapping engine.ErrOption, and nothing changes.
func (c *Registry) Init(opts ...engine.Option) error {
	if err := engine.CheckInit(Name, func(name string) bool { return name == "etcd.LeaseTTL" }, opts...); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return engine.ErrClosed
	}
	next := c.opts
	for _, o := range opts {
		o(&next)
	}
	if next.TLSConfig != c.opts.TLSConfig || next.Secure != c.opts.Secure {
		return fmt.Errorf("%w: etcd: TLS applies only when the registry is built", engine.ErrOption)
	}
	_, ttl, err := settings(next)
	if err != nil {
		return err
	}
	c.opts, c.leaseTTL = next, ttl
	if c.conn != nil && len(next.Addrs) > 0 {
		c.conn.setEndpoints(endpoints(next.Addrs))
	}
	return nil
}

// Options returns the options the registry was built and initialised with.
func (c *Registry) Options() engine.Options {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.opts
}

func (c *Registry) timeout() time.Duration {
	if t := c.Options().Timeout; t > 0 {
		return t
	}
	return DefaultTimeout
}

func (c *Registry) logf(level engine.Level, format string, args ...any) {
	if l := c.Options().Logger; l != nil {
		l.Logf(level, format, args...)
	}
}

// callCtx bounds one call by the caller's context and the timeout.
func (c *Registry) callCtx(parent context.Context) (context.Context, context.CancelFunc) {
	if parent == nil {
		parent = context.Background()
	}
	return context.WithTimeout(parent, c.timeout())
}

// usable says why the registry cannot be used, if it cannot, and starts
// its view.
func (c *Registry) usable() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return engine.ErrClosed
	case c.configErr != nil:
		return c.configErr
	}
	if !c.viewOn {
		c.viewOn = true
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.view.run(c.ctx)
		}()
	}
	return nil
}

// entryOf decodes a key of the prefix; one that holds no registration is
// skipped (and logged at debug level).
func (c *Registry) entryOf(kv *mvccpb.KeyValue) (entry, bool) {
	s, err := decodeNode(kv.Value)
	if err != nil {
		c.logf(engine.DebugLevel, "etcd: key %s skipped: %v", kv.Key, err)
		return entry{}, false
	}
	return entry{svc: s, rev: kv.ModRevision, lease: kv.Lease}, true
}

// Register writes each node of s to its key, attached to the registry's
// lease (see the package doc). A node registered again unchanged costs
// nothing: the lease is kept alive by its stream, not by Register. A
// RegisterTTL sets the lease's TTL.
func (c *Registry) Register(s *engine.Service, opts ...engine.RegisterOption) error {
	o, err := engine.ApplyRegister(opts...)
	if err != nil {
		return err
	}
	if err := engine.ValidateService(s); err != nil {
		return err
	}
	if err := c.usable(); err != nil {
		return err
	}
	type plan struct {
		key string
		val []byte
	}
	plans := make([]plan, len(s.Nodes))
	for i, n := range s.Nodes {
		key := nodeKey(c.prefix, s.Name, n.Id)
		if h, ok := c.view.holder(key); ok && !holds(h, s.Name, n.Id) {
			return fmt.Errorf("%w: %s node %s would overwrite %s node %s at %s", ErrKeyTaken, s.Name, n.Id, h.Name, h.Nodes[0].Id, key)
		}
		val, err := encodeNode(s, n)
		if err != nil {
			return err
		}
		plans[i] = plan{key, val}
	}
	var deadline time.Time
	if o.TTL > 0 {
		deadline = time.Now().Add(o.TTL)
	}
	// A node this registry holds is registered again even if etcd cannot
	// be reached now: go-micro's server goes on trying, and an outage is
	// no reason for the node to expire here when etcd is back.
	c.mu.Lock()
	for _, p := range plans {
		if m := c.mine[p.key]; m != nil {
			m.deadline = deadline
		}
	}
	c.mu.Unlock()
	ctx, cancel := c.callCtx(o.Context)
	defer cancel()
	cli, err := c.conn.client(ctx)
	if err != nil {
		return err
	}
	c.opMu.Lock()
	defer c.opMu.Unlock()
	var ttl int64
	if o.TTL > 0 {
		ttl = ttlSeconds(o.TTL)
	}
	l, err := c.currentLease(ctx, cli, ttl)
	if err != nil {
		return fmt.Errorf("etcd: register %s: %w", s.Name, err)
	}
	prev := map[string]*owned{}
	c.mu.Lock()
	for _, p := range plans {
		m := c.mine[p.key]
		prev[p.key] = m
		if m == nil || !bytes.Equal(m.val, p.val) {
			c.mine[p.key] = &owned{name: s.Name, val: p.val, deadline: deadline}
		}
	}
	c.mu.Unlock()
	var last int64
	for _, p := range plans {
		c.mu.Lock()
		m := c.mine[p.key]
		c.mu.Unlock()
		if m.lease == l.id && c.view.has(p.key, int64(l.id)) {
			continue // a heartbeat
		}
		rev, err := c.put(ctx, cli, p.key, l)
		if err != nil {
			c.undo(prev)
			return fmt.Errorf("etcd: register %s: %w", s.Name, err)
		}
		last = max(last, rev)
	}
	c.view.waitRev(ctx, last)
	if _, err := c.restoreLocked(ctx, cli); err != nil { // nodes on a lease being replaced
		return fmt.Errorf("etcd: register %s: moving to the new lease: %w", s.Name, err)
	}
	return nil
}

// holds says whether h is the registration of service's node id.
func holds(h *engine.Service, service, id string) bool {
	return h.Name == service && len(h.Nodes) == 1 && h.Nodes[0].Id == id
}

// undo puts back the records of keys a failed Register did not write.
func (c *Registry) undo(prev map[string]*owned) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, was := range prev {
		if m := c.mine[k]; m != nil && m != was && m.lease == 0 {
			if was == nil {
				delete(c.mine, k)
			} else {
				c.mine[k] = was
			}
		}
	}
}

// Deregister deletes the keys of the nodes of s. When the registry holds
// no node any more, its lease is revoked. A node that cannot be deleted
// (etcd unreachable) stays registered, and the error says so.
func (c *Registry) Deregister(s *engine.Service, opts ...engine.DeregisterOption) error {
	o, err := engine.ApplyDeregister(opts...)
	if err != nil {
		return err
	}
	if err := engine.ValidateDeregister(s); err != nil {
		return err
	}
	if err := c.usable(); err != nil {
		return err
	}
	ctx, cancel := c.callCtx(o.Context)
	defer cancel()
	cli, err := c.conn.client(ctx)
	if err != nil {
		return err
	}
	keys := make([]string, len(s.Nodes))
	for i, n := range s.Nodes {
		keys[i] = nodeKey(c.prefix, s.Name, n.Id)
	}
	c.opMu.Lock()
	defer c.opMu.Unlock()
	return c.remove(ctx, cli, keys)
}

// remove deletes keys, and revokes the lease once the registry holds no
// node; a key that cannot be deleted stays this registry's. c.opMu is
// held.
func (c *Registry) remove(ctx context.Context, cli *clientv3.Client, keys []string) error {
	var errs []error
	var last int64
	for _, key := range keys {
		c.mu.Lock()
		m := c.mine[key]
		delete(c.mine, key)
		c.mu.Unlock()
		resp, err := cli.Delete(ctx, key)
		if err != nil {
			if m != nil {
				c.mu.Lock()
				c.mine[key] = m
				c.mu.Unlock()
			}
			errs = append(errs, classify("delete "+key, err))
			continue
		}
		last = max(last, resp.Header.Revision)
	}
	c.mu.Lock()
	l := c.lease
	if len(c.mine) == 0 {
		c.lease = nil
	} else {
		l = nil
	}
	c.mu.Unlock()
	if l != nil {
		if err := c.letGo(ctx, cli, l); err != nil {
			c.logf(engine.DebugLevel, "etcd: lease %x not revoked (it expires): %v", int64(l.id), err)
		}
	}
	c.view.waitRev(ctx, last)
	return errors.Join(errs...)
}

// viewed starts the view if need be and waits for its first listing, as
// long as the call's context and the timeout let it.
func (c *Registry) viewed(parent context.Context) error {
	if err := c.usable(); err != nil {
		return err
	}
	ctx, cancel := c.callCtx(parent)
	defer cancel()
	return c.ready(ctx)
}

// ready waits for the view's first listing as long as ctx lets it.
func (c *Registry) ready(ctx context.Context) error {
	select {
	case <-c.view.ready:
		return nil
	default:
	}
	select {
	case <-c.view.ready:
		return nil
	case <-ctx.Done():
		c.view.mu.Lock()
		err := c.view.lastErr
		c.view.mu.Unlock()
		if err == nil {
			_, err = c.conn.client(ctx) // why there is no client yet, if there is none
		}
		if err == nil {
			err = classify("list", ctx.Err())
		}
		return err
	}
}

// GetService returns every version of name with its nodes, from the
// registry's view (see the package doc).
func (c *Registry) GetService(name string, opts ...engine.GetOption) ([]*engine.Service, error) {
	o, err := engine.ApplyGet(opts...)
	if err != nil {
		return nil, err
	}
	if err := c.viewed(o.Context); err != nil {
		return nil, err
	}
	return c.store.Get(name)
}

// ListServices returns every version of every service, with its nodes,
// from the registry's view.
func (c *Registry) ListServices(opts ...engine.ListOption) ([]*engine.Service, error) {
	o, err := engine.ApplyList(opts...)
	if err != nil {
		return nil, err
	}
	if err := c.viewed(o.Context); err != nil {
		return nil, err
	}
	return c.store.List(), nil
}

// Watch watches one service (WatchService) or every service, from the
// registry's view: however many watchers, one etcd watch feeds them.
func (c *Registry) Watch(opts ...engine.WatchOption) (engine.Watcher, error) {
	if _, err := engine.ApplyWatch(opts...); err != nil {
		return nil, err
	}
	if err := c.usable(); err != nil {
		return nil, err
	}
	return c.store.Watch(opts...)
}

// String returns "etcd".
func (c *Registry) String() string { return Name }

// Close revokes the registry's lease, which deletes every node it
// registered at once, and stops its view and watchers. Through go-micro's
// interface, reach it with registry.Close(r). With etcd unreachable, the
// revocation is given the timeout, and the nodes go when the lease runs
// out (the error says so).
func (c *Registry) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	l := c.lease
	c.lease = nil
	c.mu.Unlock()
	c.cancel() // the view, the keeper, the expirer, the keepalives: they let go of opMu
	var err error
	c.opMu.Lock()
	leases := append(c.retired, l)
	c.retired = nil
	c.opMu.Unlock()
	var cli *clientv3.Client
	if c.conn != nil {
		cli = c.conn.made()
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout())
	for _, l := range leases {
		if l == nil {
			continue
		}
		if rerr := c.letGo(ctx, cli, l); rerr != nil {
			err = fmt.Errorf("etcd: close: nodes stay until the lease's TTL: %w", rerr)
		}
	}
	cancel()
	c.wg.Wait()
	if c.conn != nil {
		c.conn.close()
	}
	return errors.Join(err, c.store.Close())
}

var _ engine.Registry = (*Registry)(nil)

// clientOf is the registry's etcd client, for Diagnose and tests.
func (c *Registry) clientOf(ctx context.Context) (*clientv3.Client, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	return c.conn.client(ctx)
}
