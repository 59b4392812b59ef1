// Package mdns is a zero-configuration registry backend for a LAN: nodes
// announce themselves over multicast DNS (hashicorp/mdns answers queries;
// records are built with miekg/dns) and every registry keeps a cache of
// what it hears, so a lookup of a service already seen costs no network
// at all (go-micro's mdns registry waits 100 ms on every lookup).
//
// A node announces itself when registered, re-announces every half TTL,
// and says goodbye (records with TTL 0) when deregistered or closed, so
// others drop it at once; a crashed node leaves their caches when its
// records expire. Service data of any size travels compressed in TXT
// strings of at most 255 bytes. A re-registration with changed data is
// announced and seen as an update.
//
// It registers itself as "mdns", go-micro's default. By default it uses
// every interface that is up and multicast-capable; Interface pins it.
package mdns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/mdns"
	"github.com/miekg/dns"

	"github.com/microreg/microreg/registry"
)

// Name is the backend's name in the registry table and String().
const Name = "mdns"

// ErrNotStarted wraps why the registry could not open its sockets; every
// call then returns it.
var ErrNotStarted = errors.New("mdns: not started")

var (
	groupV4 = &net.UDPAddr{IP: net.IPv4(224, 0, 0, 251), Port: 5353}
	groupV6 = &net.UDPAddr{IP: net.ParseIP("ff02::fb"), Port: 5353}
)

func init() { registry.Register(Name, NewRegistry) }

type mdnsRegistry struct {
	store *registry.Store

	optsMu sync.RWMutex
	opts   registry.Options

	domain   string
	ttl      time.Duration
	timeout  time.Duration
	v4, v6   bool
	ifaces   []*net.Interface
	startErr error

	mu       sync.Mutex
	own      map[string]*ownNode // by instance name
	seen     map[string]bool     // service names heard of since start
	decoded  txtCache
	servers  []*mdns.Server
	conns    []*net.UDPConn
	browsing bool
	closed   bool

	done chan struct{}
	wg   sync.WaitGroup
}

// ownNode is one node this registry registered.
type ownNode struct {
	svc      *registry.Service // one node
	zones    []*mdns.MDNSService
	deadline time.Time     // RegisterTTL; zero: none
	ttl      time.Duration // the TTL its records carry
	next     time.Time     // when to announce it again; r.mu guards
}

// NewRegistry opens the multicast sockets. If it cannot, every call of the
// registry it returns fails with an error wrapping ErrNotStarted; New
// returns that error at once.
func NewRegistry(opts ...registry.Option) registry.Registry {
	r, _ := start(opts...)
	return r
}

// New opens the registry's sockets and returns the error if it cannot.
func New(opts ...registry.Option) (registry.Registry, error) {
	r, err := start(opts...)
	if err != nil {
		_ = r.Close()
		return nil, err
	}
	return r, nil
}

func start(opts ...registry.Option) (*mdnsRegistry, error) {
	o := *registry.NewOptions(opts...)
	var storeOpts []registry.StoreOption
	if c, ok := registry.ContextValue[registry.Clock](o, clockKey{}); ok {
		storeOpts = append(storeOpts, registry.WithClock(c))
	}
	r := &mdnsRegistry{
		store:   registry.NewStore(storeOpts...),
		opts:    o,
		domain:  DefaultDomain,
		ttl:     DefaultTTL,
		timeout: DefaultQueryTimeout,
		v4:      true,
		own:     map[string]*ownNode{},
		seen:    map[string]bool{},
		done:    make(chan struct{}),
	}
	if d, ok := registry.ContextValue[string](o, domainKey{}); ok && d != "" {
		r.domain = d
	}
	if d, ok := registry.ContextValue[time.Duration](o, ttlKey{}); ok && d >= time.Second {
		r.ttl = d.Truncate(time.Second)
	}
	if d, ok := registry.ContextValue[time.Duration](o, timeoutKey{}); ok && d > 0 {
		r.timeout = d
	}
	if v, ok := registry.ContextValue[bool](o, ipv4Key{}); ok {
		r.v4 = v
	}
	if v, ok := registry.ContextValue[bool](o, ipv6Key{}); ok {
		r.v6 = v
	}
	r.startErr = r.open(o)
	if r.startErr == nil {
		r.wg.Add(1)
		go r.announcer()
	}
	return r, r.startErr
}

// open picks the interfaces and opens a responder and a listener on each.
func (r *mdnsRegistry) open(o registry.Options) error {
	names, _ := registry.ContextValue[[]string](o, ifaceKey{})
	if len(names) > 0 {
		for _, n := range names {
			ifi, err := net.InterfaceByName(n)
			if err != nil {
				return fmt.Errorf("%w: interface %q: %v", ErrNotStarted, n, err)
			}
			r.ifaces = append(r.ifaces, ifi)
		}
	} else {
		all, err := net.Interfaces()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrNotStarted, err)
		}
		for i := range all {
			if all[i].Flags&net.FlagUp != 0 && all[i].Flags&net.FlagMulticast != 0 {
				r.ifaces = append(r.ifaces, &all[i])
			}
		}
	}
	if len(r.ifaces) == 0 {
		return fmt.Errorf("%w: no interface is up and multicast-capable", ErrNotStarted)
	}
	if !r.v4 && !r.v6 {
		return fmt.Errorf("%w: both IPv4 and IPv6 are off", ErrNotStarted)
	}
	for _, ifi := range r.ifaces {
		for _, v := range []struct {
			on      bool
			network string
			group   *net.UDPAddr
		}{{r.v4, "udp4", groupV4}, {r.v6, "udp6", groupV6}} {
			if !v.on {
				continue
			}
			c, err := net.ListenMulticastUDP(v.network, ifi, v.group)
			if err != nil {
				return fmt.Errorf("%w: listening on %s (%s): %v", ErrNotStarted, ifi.Name, v.network, err)
			}
			// ListenMulticastUDP turns multicast loopback off, and then
			// no other process on this host would hear our announcements.
			if err := setLoopback(c, v.network); err != nil {
				_ = c.Close()
				return fmt.Errorf("%w: multicast loopback on %s: %v", ErrNotStarted, ifi.Name, err)
			}
			r.conns = append(r.conns, c)
			r.wg.Add(1)
			go r.listen(c)
		}
		srv, err := mdns.NewServer(&mdns.Config{Zone: zone{r}, Iface: ifi, Logger: quietLogger})
		if err != nil {
			return fmt.Errorf("%w: responder on %s: %v", ErrNotStarted, ifi.Name, err)
		}
		r.servers = append(r.servers, srv)
	}
	return nil
}

func (r *mdnsRegistry) ready() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.closed:
		return registry.ErrClosed
	case r.startErr != nil:
		return r.startErr
	}
	return nil
}

// Init applies opts. The interfaces and sockets stay as they were opened.
func (r *mdnsRegistry) Init(opts ...registry.Option) error {
	r.optsMu.Lock()
	defer r.optsMu.Unlock()
	for _, o := range opts {
		o(&r.opts)
	}
	return nil
}

func (r *mdnsRegistry) Options() registry.Options {
	r.optsMu.RLock()
	defer r.optsMu.RUnlock()
	return r.opts
}

func (r *mdnsRegistry) Register(s *registry.Service, opts ...registry.RegisterOption) error {
	o, err := registry.ApplyRegister(opts...)
	if err != nil {
		return err
	}
	if err := r.ready(); err != nil {
		return err
	}
	if err := registry.ValidateService(s); err != nil {
		return err
	}
	nodes := make([]*ownNode, 0, len(s.Nodes))
	for _, n := range s.Nodes {
		one := registry.CopyService(&registry.Service{Name: s.Name, Version: s.Version, Metadata: s.Metadata,
			Endpoints: s.Endpoints, Nodes: []*registry.Node{n}})
		own, err := r.newOwn(one)
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
	for _, own := range nodes {
		inst := instanceName(own.svc.Name, own.svc.Version, own.svc.Nodes[0].Id)
		r.mu.Lock()
		old := r.own[inst]
		fresh := old == nil || !sameNode(old.svc, own.svc) || old.ttl != own.ttl
		if fresh {
			own.next = time.Now().Add(own.ttl / 2)
		} else {
			own.next = old.next
		}
		r.own[inst] = own
		r.seen[own.svc.Name] = true
		r.mu.Unlock()
		if err := r.store.Register(own.svc, 0); err != nil {
			return err
		}
		if fresh {
			r.announce(own, own.ttl)
		}
	}
	return nil
}

func sameNode(a, b *registry.Service) bool {
	return len(registry.Diff([]*registry.Service{a}, []*registry.Service{b})) == 0
}

// newOwn builds the zones a node answers for: its service's type and the
// browse type.
func (r *mdnsRegistry) newOwn(one *registry.Service) (*ownNode, error) {
	n := one.Nodes[0]
	host, portStr, _ := net.SplitHostPort(n.Address)
	port, _ := strconv.Atoi(portStr)
	txt, err := encodeTXT(one)
	if err != nil {
		return nil, err
	}
	ip := net.ParseIP(host)
	if ip == nil {
		// The address travels in TXT; the A record needs some IP, and
		// resolving the name here would send a DNS query.
		ip = r.interfaceIP()
	}
	inst := instanceName(one.Name, one.Version, n.Id)
	hostName := inst + "." + r.domain + "."
	own := &ownNode{svc: one}
	for _, typ := range []string{serviceType(one.Name), browseType} {
		z, err := mdns.NewMDNSService(inst, typ, r.domain+".", hostName, port, []net.IP{ip}, txt)
		if err != nil {
			return nil, fmt.Errorf("mdns: %w", err)
		}
		own.zones = append(own.zones, z)
	}
	return own, nil
}

func (r *mdnsRegistry) interfaceIP() net.IP {
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

func (r *mdnsRegistry) Deregister(s *registry.Service, opts ...registry.DeregisterOption) error {
	_, err := registry.ApplyDeregister(opts...)
	if err != nil {
		return err
	}
	if err := r.ready(); err != nil {
		return err
	}
	if err := registry.ValidateDeregister(s); err != nil {
		return err
	}
	for _, n := range s.Nodes {
		inst := instanceName(s.Name, s.Version, n.Id)
		r.mu.Lock()
		own := r.own[inst]
		delete(r.own, inst)
		r.mu.Unlock()
		if own != nil {
			r.announce(own, 0) // goodbye
		}
	}
	return r.store.Deregister(s)
}

// GetService answers from the cache; a service not seen yet is queried
// for, returning as soon as answers settle.
func (r *mdnsRegistry) GetService(name string, opts ...registry.GetOption) ([]*registry.Service, error) {
	o, err := registry.ApplyGet(opts...)
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
		return nil, registry.ErrNotFound
	}
	ctx := o.Context
	if ctx == nil {
		ctx = context.Background()
	}
	r.query(ctx, name)
	return r.store.Get(name)
}

func (r *mdnsRegistry) ListServices(opts ...registry.ListOption) ([]*registry.Service, error) {
	_, err := registry.ApplyList(opts...)
	if err != nil {
		return nil, err
	}
	return r.store.List(), nil
}

// Watch reports what the registry hears; while any watcher runs, it also
// browses every half TTL so that caches stay fresh.
func (r *mdnsRegistry) Watch(opts ...registry.WatchOption) (registry.Watcher, error) {
	if err := r.ready(); err != nil {
		return nil, err
	}
	w, err := r.store.Watch(opts...)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	start := !r.browsing && !r.closed
	r.browsing = true
	r.mu.Unlock()
	if start {
		r.browse()
	}
	return w, nil
}

func (r *mdnsRegistry) String() string { return Name }

// Close says goodbye for every node registered here, closes the sockets
// and stops every goroutine. Reach it through registry.Close(r).
func (r *mdnsRegistry) Close() error {
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
	r.mu.Unlock()
	for _, n := range own {
		r.announce(n, 0)
	}
	close(r.done)
	for _, s := range r.servers {
		_ = s.Shutdown()
	}
	for _, c := range r.conns {
		_ = c.Close()
	}
	r.wg.Wait()
	return r.store.Close()
}

// zone answers queries for every node this registry registered.
type zone struct{ r *mdnsRegistry }

func (z zone) Records(q dns.Question) []dns.RR {
	z.r.mu.Lock()
	defer z.r.mu.Unlock()
	var out []dns.RR
	for _, n := range z.r.own {
		ttl := uint32(n.ttl / time.Second)
		for _, s := range n.zones {
			for _, rr := range s.Records(q) {
				rr.Header().Ttl = ttl
				out = append(out, rr)
			}
		}
	}
	return out
}
