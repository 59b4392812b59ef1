package mdns

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/microreg/microreg/engine"
)

// Name is the backend's name in the registry table and String().
const Name = "mdns"

// ErrNotStarted is engine.ErrNotStarted: it wraps the reason a
// mdns registry could not start, which New returns at once and every
// call of one built by Open returns.
var ErrNotStarted = engine.ErrNotStarted

// inboundQueue is how many datagrams may wait between the sockets'
// readers and the goroutine that handles them.
const inboundQueue = 4096

// Registry is an mDNS node: engine.Registry, plus Close and
// Interfaces. New returns one; Open returns one even when it
// cannot start.
type Registry struct {
	store *engine.Store
	out   *sender

	optsMu sync.RWMutex
	opts   engine.Options

	domain    string
	ttl       time.Duration
	timeout   time.Duration
	v4, v6    bool
	goMicro   bool
	ifaces    []*net.Interface
	links     []*link
	selfPorts map[int]bool
	startErr  error

	mu  sync.Mutex
	own map[string]*ownNode // by nodeLabel
	// names are own's nodes by their instance name, lower-cased, where
	// conflicts are looked for (conflict.go).
	names     map[string]*ownNode
	metaLimit multicastLimit // the meta-query's answer
	// latest is the newest registration heard of each node, on a signed
	// registry (sign.go); dropped, the records it dropped.
	latest  map[string]*freshness
	dropped dropStats

	// hosts are the nodes cached of each host, until when; refused, what
	// the limits refused (limits.go).
	hosts      map[string]map[string]time.Time
	maxPerHost int
	refused    engine.Refusals

	keysMu sync.RWMutex
	keys   *keyring        // nil: records are neither signed nor checked
	seen   map[string]bool // service names heard of since start
	// heardNodes are the instances heard from other nodes since start,
	// true for those in go-micro's own format (diagnose.go).
	heardNodes map[string]bool
	refresh    map[string]time.Time // go-micro services: when to ask again
	asked      map[string]time.Time // go-micro services a listing named: when asked
	decoded    txtCache
	browsing   bool
	listed     bool
	closed     bool

	heardMu sync.Mutex
	heard   chan struct{} // closed and replaced when a response carries a node

	in       chan received
	inflight atomic.Int64 // datagrams read and not yet handled
	done     chan struct{}
	wg       sync.WaitGroup
}

// ownNode is one node this registry registered.
type ownNode struct {
	svc      *engine.Service // one node
	mr       *recordSet      // microreg's format
	gm       *recordSet      // go-micro's; nil when off or its names cannot hold the node
	conflict int             // > 1: its instance name is numbered (conflict.go)
	at       int64           // when registered (Unix ns), on signed registries (sign.go)
	deadline time.Time       // RegisterTTL; zero: none
	ttl      time.Duration   // the TTL its records carry
	next     time.Time       // when to announce it again; r.mu guards
}

// sets returns the record sets the node is served with.
func (n *ownNode) sets() []*recordSet {
	if n.gm == nil {
		return []*recordSet{n.mr}
	}
	return []*recordSet{n.mr, n.gm}
}

// Open opens the multicast sockets. If it cannot, every call of the
// registry it returns fails with an error wrapping ErrNotStarted; New
// returns that error at once.
func Open(opts ...engine.Option) *Registry {
	r, _ := start(opts...)
	return r
}

// New opens the registry's sockets and returns the error if it cannot.
func New(opts ...engine.Option) (*Registry, error) {
	r, err := start(opts...)
	if err != nil {
		_ = r.Close()
		return nil, err
	}
	return r, nil
}

func start(opts ...engine.Option) (*Registry, error) {
	o := *engine.NewOptions(opts...)
	r := &Registry{
		store:      engine.NewStoreFor(o),
		opts:       o,
		domain:     DefaultDomain,
		ttl:        DefaultTTL,
		timeout:    DefaultQueryTimeout,
		v4:         true,
		goMicro:    true,
		selfPorts:  map[int]bool{},
		own:        map[string]*ownNode{},
		names:      map[string]*ownNode{},
		latest:     map[string]*freshness{},
		hosts:      map[string]map[string]time.Time{},
		maxPerHost: engine.DefaultMaxNodesPerPeer,
		seen:       map[string]bool{},
		heardNodes: map[string]bool{},
		refresh:    map[string]time.Time{},
		asked:      map[string]time.Time{},
		heard:      make(chan struct{}),
		in:         make(chan received, inboundQueue),
		done:       make(chan struct{}),
	}
	r.out = newSender(r.logf)
	if d, ok := engine.ContextValue[string](o, domainKey{}); ok && d != "" {
		r.domain = d
	}
	if d, ok := engine.ContextValue[time.Duration](o, ttlKey{}); ok && d >= time.Second {
		r.ttl = d.Truncate(time.Second)
	}
	if d, ok := engine.ContextValue[time.Duration](o, timeoutKey{}); ok && d > 0 {
		r.timeout = d
	}
	if n, ok := engine.ContextValue[int](o, maxPerHostKey{}); ok && n > 0 {
		r.maxPerHost = n
	}
	if v, ok := engine.ContextValue[bool](o, ipv4Key{}); ok {
		r.v4 = v
	}
	if v, ok := engine.ContextValue[bool](o, ipv6Key{}); ok {
		r.v6 = v
	}
	gm, explicitGM := engine.ContextValue[bool](o, goMicroKey{})
	if explicitGM {
		r.goMicro = gm
	}
	r.startErr = engine.CheckOptions(o, Name)
	if r.startErr == nil {
		keys, err := keysFrom(o)
		switch {
		case err != nil:
			r.startErr = fmt.Errorf("mdns: %w: %w", ErrNotStarted, err)
		case len(keys) > 0 && explicitGM && gm:
			r.startErr = fmt.Errorf("mdns: %w: %w: go-micro's format cannot carry a signature: GoMicro(true) and keys cannot both be set", ErrNotStarted, engine.ErrOption)
		case len(keys) > 0:
			r.keys, r.goMicro = newKeyring(keys), false
		}
	}
	if r.startErr == nil {
		r.startErr = r.open(o)
	}
	if r.startErr == nil {
		r.wg.Add(2)
		go r.handle()
		go r.announcer()
	}
	return r, r.startErr
}

// open picks the interfaces and opens a link on each, for each address
// family.
func (r *Registry) open(o engine.Options) error {
	names, _ := engine.ContextValue[[]string](o, ifaceKey{})
	if len(names) > 0 {
		for _, n := range names {
			ifi, err := net.InterfaceByName(n)
			if err != nil {
				return fmt.Errorf("mdns: %w: interface %q: %w", ErrNotStarted, n, err)
			}
			r.ifaces = append(r.ifaces, ifi)
		}
	} else {
		all, err := net.Interfaces()
		if err != nil {
			return fmt.Errorf("mdns: %w: %w", ErrNotStarted, err)
		}
		for i := range all {
			if all[i].Flags&net.FlagUp != 0 && all[i].Flags&net.FlagMulticast != 0 {
				r.ifaces = append(r.ifaces, &all[i])
			}
		}
	}
	if len(r.ifaces) == 0 {
		return fmt.Errorf("mdns: %w: no interface is up and multicast-capable", ErrNotStarted)
	}
	if !r.v4 && !r.v6 {
		return fmt.Errorf("mdns: %w: both IPv4 and IPv6 are off", ErrNotStarted)
	}
	for _, ifi := range r.ifaces {
		for _, v := range []struct {
			on      bool
			network string
		}{{r.v4, "udp4"}, {r.v6, "udp6"}} {
			if !v.on {
				continue
			}
			l, err := openLink(ifi, v.network)
			if err != nil {
				return fmt.Errorf("mdns: %w: %w", ErrNotStarted, err)
			}
			r.links = append(r.links, l)
			r.selfPorts[l.querierPort()] = true
			r.wg.Add(2)
			go r.read(l.listener, l)
			go r.read(l.querier, nil)
		}
	}
	return nil
}

// handle handles what the links read, one datagram at a time, until
// Close.
func (r *Registry) handle() {
	defer r.wg.Done()
	for {
		select {
		case in := <-r.in:
			r.handlePacket(in.buf, in)
			r.inflight.Add(-1)
		case <-r.done:
			return
		}
	}
}

func (r *Registry) ready() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.closed:
		return engine.ErrClosed
	case r.startErr != nil:
		return r.startErr
	}
	return nil
}

// Init applies go-micro's own options (go-micro passes --registry_address
// this way; mdns has no addresses). Every mdns option applies when the
// sockets are opened, so one given to Init, or another backend's, is an
// error wrapping engine.ErrOption, and nothing is applied.
func (r *Registry) Init(opts ...engine.Option) error {
	// Every mdns option but Keys applies when the sockets are opened, in
	// New.
	if err := engine.CheckInit(Name, func(name string) bool { return name == "mdns.Keys" }, opts...); err != nil {
		return err
	}
	var given engine.Options
	for _, o := range opts {
		o(&given)
	}
	if keys, ok := engine.ContextValue[[][]byte](given, keysKey{}); ok {
		if _, err := keysFrom(given); err != nil {
			return fmt.Errorf("mdns: %w", err)
		}
		if err := r.rekey(keys); err != nil {
			return err
		}
	}
	r.optsMu.Lock()
	defer r.optsMu.Unlock()
	for _, o := range opts {
		o(&r.opts)
	}
	return nil
}

// Options returns the options the registry was built and initialised with.
func (r *Registry) Options() engine.Options {
	r.optsMu.RLock()
	defer r.optsMu.RUnlock()
	return r.opts
}

// Register serves the nodes of s on the link and announces them (again a
// second later); a RegisterTTL bounds how long others keep them if this
// process dies without a goodbye.
func (r *Registry) Register(s *engine.Service, opts ...engine.RegisterOption) error {
	o, err := engine.ApplyRegister(opts...)
	if err != nil {
		return err
	}
	if err := r.ready(); err != nil {
		return err
	}
	if err := engine.ValidateService(s); err != nil {
		return err
	}
	nodes := make([]*ownNode, 0, len(s.Nodes))
	for _, one := range engine.PerNode(s) {
		conflict, at := r.previous(one)
		own, err := r.newOwn(engine.CopyService(one), conflict, at)
		if err != nil {
			return err
		}
		own.ttl = r.ttl
		if o.TTL > 0 {
			own.deadline = time.Now().Add(o.TTL)
			// A node registered with a TTL lives no longer than that
			// TTL elsewhere if this process dies: its records say so.
			own.ttl = min(r.ttl, max(time.Second, o.TTL.Round(time.Second)))
		}
		nodes = append(nodes, own)
	}
	var fresh []*ownNode
	for _, own := range nodes {
		inst := nodeLabel(own.svc.Name, own.svc.Version, own.svc.Nodes[0].Id)
		now := time.Now()
		r.mu.Lock()
		old := r.own[inst]
		if old == nil || !engine.SameRegistration(old.svc, own.svc) || old.ttl != own.ttl {
			// Announced now and again a second later (RFC 6762 §8.3).
			own.next = now.Add(min(time.Second, own.ttl/2))
			fresh = append(fresh, own)
			r.setOwnLocked(inst, own)
		} else {
			old.deadline = own.deadline // a heartbeat: nothing to announce
		}
		r.seen[own.svc.Name] = true
		r.mu.Unlock()
		if err := r.store.Register(own.svc, 0); err != nil {
			return err
		}
	}
	r.announce(fresh, false)
	return nil
}

// newOwn builds the record sets a node is served with, its instance name
// numbered conflict (conflict.go), registered at at (sign.go).
func (r *Registry) newOwn(one *engine.Service, conflict int, at int64) (*ownNode, error) {
	n := one.Nodes[0]
	host, portStr, _ := net.SplitHostPort(n.Address)
	port, _ := strconv.Atoi(portStr)
	ip := net.ParseIP(host)
	if ip == nil {
		// The address travels in microreg's TXT; the A record needs some
		// IP, and resolving the name here would send a DNS query.
		ip = r.interfaceIP()
	}
	own := &ownNode{svc: one, conflict: conflict, at: at}
	var err error
	if own.mr, err = microregRecords(one, r.domain, ip, port, conflict, r.keyring(), at); err != nil {
		return nil, err
	}
	if r.goMicro {
		gm, ok, err := goMicroRecords(one, ip, port)
		if err != nil {
			return nil, err
		}
		if !ok {
			r.logf("mdns: %s node %s served in microreg's format only: go-micro's names cannot hold it (a label over 63 bytes, or no port)", one.Name, n.Id)
		}
		own.gm = gm
	}
	return own, nil
}

// setOwnLocked serves own as this registry's node key, in place of the
// node served there before.
func (r *Registry) setOwnLocked(key string, own *ownNode) {
	if old := r.own[key]; old != nil {
		delete(r.names, strings.ToLower(old.mr.instance))
	}
	r.own[key] = own
	r.names[strings.ToLower(own.mr.instance)] = own
}

// deleteOwnLocked stops serving own.
func (r *Registry) deleteOwnLocked(own *ownNode) {
	n := own.svc.Nodes[0]
	delete(r.own, nodeLabel(own.svc.Name, own.svc.Version, n.Id))
	delete(r.names, strings.ToLower(own.mr.instance))
}

func (r *Registry) interfaceIP() net.IP {
	for _, ifi := range r.ifaces {
		addrs, _ := ifi.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
				return ipn.IP
			}
		}
	}
	return net.IPv4(127, 0, 0, 1)
}

// Deregister stops serving the nodes of s and says goodbye for them.
func (r *Registry) Deregister(s *engine.Service, opts ...engine.DeregisterOption) error {
	_, err := engine.ApplyDeregister(opts...)
	if err != nil {
		return err
	}
	if err := r.ready(); err != nil {
		return err
	}
	if err := engine.ValidateDeregister(s); err != nil {
		return err
	}
	var gone []*ownNode
	r.mu.Lock()
	for _, n := range s.Nodes {
		if own := r.own[nodeLabel(s.Name, s.Version, n.Id)]; own != nil {
			gone = append(gone, own)
			r.deleteOwnLocked(own)
		}
	}
	r.mu.Unlock()
	r.announce(gone, true)
	return r.store.Deregister(s)
}

// GetService answers from the cache; a service not seen yet is asked for,
// returning as soon as answers settle.
func (r *Registry) GetService(name string, opts ...engine.GetOption) ([]*engine.Service, error) {
	o, err := engine.ApplyGet(opts...)
	if err != nil {
		return nil, err
	}
	if s, err := r.store.Get(name); err == nil {
		return s, nil
	}
	if err := r.ready(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	seen := r.seen[name]
	r.mu.Unlock()
	if seen {
		// Heard of, then gone by goodbye or expiry: that is the answer.
		return nil, engine.ErrNotFound
	}
	r.query(contextOr(o.Context), name)
	return r.store.Get(name)
}

// ListServices answers from the cache; the first call asks every node
// on the link for its services and returns once answers settle.
func (r *Registry) ListServices(opts ...engine.ListOption) ([]*engine.Service, error) {
	o, err := engine.ApplyList(opts...)
	if err != nil {
		return nil, err
	}
	if err := r.ready(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	listed := r.listed
	r.mu.Unlock()
	if !listed {
		r.browse(contextOr(o.Context))
		r.mu.Lock()
		r.listed = true
		r.mu.Unlock()
	}
	return r.store.List(), nil
}

func contextOr(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// Watch reports what the registry hears. The first watch asks every node
// for its services, so a watch started after a registration reports it;
// while any watcher runs, the registry asks again every half TTL so that
// caches stay fresh.
func (r *Registry) Watch(opts ...engine.WatchOption) (engine.Watcher, error) {
	if err := r.ready(); err != nil {
		return nil, err
	}
	w, err := r.store.Watch(opts...)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	first := !r.browsing && !r.closed
	r.browsing = true
	r.mu.Unlock()
	if first {
		r.ask(r.browseNames()...)
	}
	return w, nil
}

// String returns "mdns".
func (r *Registry) String() string { return Name }

// Interfaces returns the names of the network interfaces the registry
// joined the mDNS group on; none if it did not start.
func (r *Registry) Interfaces() []string {
	names := make([]string, 0, len(r.ifaces))
	for _, ifi := range r.ifaces {
		names = append(names, ifi.Name)
	}
	return names
}

// Close says goodbye for every node registered here, sends what is queued,
// closes the sockets and stops every goroutine.
func (r *Registry) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	own := make([]*ownNode, 0, len(r.own))
	for _, n := range r.own {
		own = append(own, n)
	}
	r.own = map[string]*ownNode{}
	r.names = map[string]*ownNode{}
	r.mu.Unlock()
	r.announce(own, true)
	r.out.close()
	close(r.done)
	for _, l := range r.links {
		l.close()
	}
	r.wg.Wait()
	return r.store.Close()
}
