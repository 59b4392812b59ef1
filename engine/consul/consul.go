package consul

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/engine"
)

// Name is the backend's name in the registry table and String().
const Name = "consul"

// Registry is the Consul backend: engine.Registry, plus
// Close. New returns one; Open returns one even when it cannot start.
type Registry struct {
	store *engine.Store

	mu        sync.Mutex
	opts      engine.Options
	agents    *agents
	configErr error
	views     map[string]*view
	catalogOn bool // the catalog loop runs (catalog.go)
	pulseOn   bool // the pulse runs (pulse.go)
	pulseWake chan struct{}
	watchAll  bool // a watch of every service was started
	shared    bool // change detection is shared (shared.go)

	// catalogMu orders the service lists acted on: the catalog loop's,
	// and the last one again when a watch of every service starts.
	catalogMu   sync.Mutex
	catalogLast map[string][]string // the last list acted on; catalogMu
	fetches     *fetchQueue
	heartbeats  map[string]*heartbeat // node id
	closed      bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Open returns a registry talking to the agent at engine.Addrs,
// or CONSUL_HTTP_ADDR, or 127.0.0.1:8500. A bad configuration is
// reported by every call (wrapping ErrConfig).
func Open(opts ...engine.Option) *Registry { return open(opts) }

// New is Open that returns a bad configuration (ErrConfig) at once
// instead of from every call. It does not wait for the agent: a registry
// built while its agent is down works once the agent is back, as
// Open's does.
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
		store:      engine.NewStoreFor(o),
		opts:       o,
		views:      map[string]*view{},
		heartbeats: map[string]*heartbeat{},
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.fetches = newFetchQueue(&c.wg)
	c.agents, c.configErr = newAgents(c.opts)
	return c
}

// Init applies opts; new addresses take effect for every later call, and
// the views already running move to them.
func (c *Registry) Init(opts ...engine.Option) error {
	if err := engine.CheckInit(Name, func(string) bool { return true }, opts...); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return engine.ErrClosed
	}
	for _, o := range opts {
		o(&c.opts)
	}
	a, err := newAgents(c.opts)
	if err != nil {
		return err
	}
	if c.agents != nil {
		c.agents.close()
	}
	c.agents, c.configErr = a, nil
	return nil
}

// Options returns the options the registry was built and initialised with.
func (c *Registry) Options() engine.Options {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.opts
}

// client returns the agents to use, or why there are none.
func (c *Registry) client() (*agents, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return nil, engine.ErrClosed
	case c.configErr != nil:
		return nil, c.configErr
	}
	return c.agents, nil
}

func (c *Registry) timeout() time.Duration {
	if t := c.Options().Timeout; t > 0 {
		return t
	}
	return DefaultTimeout
}

// callCtx bounds one call by the caller's context and the timeout.
func (c *Registry) callCtx(parent context.Context) (context.Context, context.CancelFunc) {
	if parent == nil {
		parent = context.Background()
	}
	return context.WithTimeout(parent, c.timeout())
}

// Register registers each node of s as a Consul service instance
// through the agent, with a TTL check this registry keeps passing (a
// RegisterTTL sets the check's TTL). A node registered again unchanged is
// a heartbeat: only its check is passed.
func (c *Registry) Register(s *engine.Service, opts ...engine.RegisterOption) error {
	o, err := engine.ApplyRegister(opts...)
	if err != nil {
		return err
	}
	if err := engine.ValidateService(s); err != nil {
		return err
	}
	a, err := c.client()
	if err != nil {
		return err
	}
	// Encode every changed node before registering any, so that a node
	// too large for Consul fails the call before it changes anything.
	base, pluginTags := c.extras()
	call, given := callExtras(o.Context)
	plans := make([]nodePlan, len(s.Nodes))
	for i, one := range engine.PerNode(s) {
		n := one.Nodes[0]
		nodeCall := call
		if !given {
			nodeCall = c.lastCall(n.Id) // kept from an earlier Register
		}
		x := base.merged(nodeCall)
		if err := x.check(s.Name, pluginTags); err != nil {
			return err
		}
		plans[i].id, plans[i].call = n.Id, nodeCall
		if c.unchanged(one, o.TTL, x) {
			continue // a heartbeat: only the check is passed
		}
		one = engine.CopyService(one)
		reg, err := toRegistration(one, one.Nodes[0], x, pluginTags)
		if err != nil {
			return fmt.Errorf("node %s: %w", n.Id, err)
		}
		plans[i].svc, plans[i].reg, plans[i].x = one, reg, x
	}
	ctx, cancel := c.callCtx(o.Context)
	defer cancel()
	for _, p := range plans {
		if err := c.registerNode(ctx, a, p, o.TTL); err != nil {
			return fmt.Errorf("consul: register %s node %s: %w", s.Name, p.id, err)
		}
	}
	return nil
}

// extras returns the registry's own Consul tags and Meta, and whether the
// plugin's tags are written.
func (c *Registry) extras() (extras, bool) {
	o := c.Options()
	tags, _ := engine.ContextValue[[]string](o, tagsKey{})
	meta, _ := engine.ContextValue[map[string]string](o, metaKey{})
	plugin, set := engine.ContextValue[bool](o, pluginTagsKey{})
	return extras{tags: tags, meta: meta}, plugin || !set
}

// Deregister removes the instances of the nodes of s and stops their
// heartbeats; one the agent no longer has is not an error.
func (c *Registry) Deregister(s *engine.Service, opts ...engine.DeregisterOption) error {
	o, err := engine.ApplyDeregister(opts...)
	if err != nil {
		return err
	}
	if err := engine.ValidateDeregister(s); err != nil {
		return err
	}
	a, err := c.client()
	if err != nil {
		return err
	}
	ctx, cancel := c.callCtx(o.Context)
	defer cancel()
	var errs []error
	for _, n := range s.Nodes {
		c.stopHeartbeat(n.Id)
		err := a.do(ctx, func(cl *api.Client) error {
			return cl.Agent().ServiceDeregisterOpts(n.Id, a.q(ctx))
		})
		var se api.StatusError
		if err != nil && !(errors.As(err, &se) && se.Code == 404) {
			errs = append(errs, fmt.Errorf("node %s: %w", n.Id, err))
		}
	}
	return errors.Join(errs...)
}

// GetService returns every version of name with its passing instances,
// from the service's view once it has one (see the package doc).
func (c *Registry) GetService(name string, opts ...engine.GetOption) ([]*engine.Service, error) {
	o, err := engine.ApplyGet(opts...)
	if err != nil {
		return nil, err
	}
	if _, err := c.client(); err != nil {
		return nil, err
	}
	v := c.ensureView(name)
	ctx, cancel := c.callCtx(o.Context)
	defer cancel()
	select {
	case <-v.ready:
	case <-ctx.Done():
		return nil, fmt.Errorf("consul: %w", ctx.Err())
	}
	if err := v.firstErr; err != nil {
		c.dropView(name, v)
		return nil, err
	}
	return c.store.Get(name)
}

// ListServices returns one entry per service name and version known to
// the catalog (name and version only: GetService has the nodes).
func (c *Registry) ListServices(opts ...engine.ListOption) ([]*engine.Service, error) {
	o, err := engine.ApplyList(opts...)
	if err != nil {
		return nil, err
	}
	a, err := c.client()
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.callCtx(o.Context)
	defer cancel()
	var names map[string][]string
	err = a.read(ctx, func(cl *api.Client, q *api.QueryOptions) error {
		var err error
		names, _, err = cl.Catalog().Services(q)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []*engine.Service
	for name, tags := range names {
		if name == "consul" {
			continue
		}
		versions := versionsFromTags(tags)
		if len(versions) == 0 {
			versions = []string{""}
		}
		for _, v := range versions {
			out = append(out, &engine.Service{Name: name, Version: v})
		}
	}
	return out, nil
}

// Watch watches one service (WatchService) or every service, through
// blocking queries that run until Close.
func (c *Registry) Watch(opts ...engine.WatchOption) (engine.Watcher, error) {
	o, err := engine.ApplyWatch(opts...)
	if err != nil {
		return nil, err
	}
	if _, err := c.client(); err != nil {
		return nil, err
	}
	w, err := c.store.Watch(opts...)
	if err != nil {
		return nil, err
	}
	if o.Service != "" {
		c.ensureView(o.Service)
	} else {
		c.ensureWatchAll()
	}
	return w, nil
}

// String returns "consul".
func (c *Registry) String() string { return Name }

// Close stops every heartbeat (the nodes' checks then go critical and
// Consul removes them) and every blocking query. Through go-micro's
// interface, reach it with registry.Close(r).
func (c *Registry) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	a := c.agents
	c.mu.Unlock()
	c.cancel()
	c.wg.Wait()
	if a != nil {
		a.close()
	}
	return c.store.Close()
}
