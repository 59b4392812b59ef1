// Package gossip is a peer-to-peer registry backend: every process is a
// member of a hashicorp/memberlist (SWIM) cluster and the registry is
// replicated between members, with no server anywhere.
//
// Updates are broadcast through memberlist's gossip (or, when larger than a
// packet, sent over TCP to every member), newer updates for the same nodes
// replace queued older ones, and periodic push/pull state exchange lets a
// node that joined late or missed messages converge. Each update is
// ordered by its origin's epoch and Lamport time, so a late or duplicate
// message never brings back a deregistered node or rolls back a newer
// registration. When a member leaves or is declared dead, its services
// disappear everywhere with delete events. TTLs are measured on each
// node's own clock.
//
// It registers itself as "gossip". With no options a node listens on
// 127.0.0.1:7946, or on a free port joining 127.0.0.1:7946 if that is
// taken, so processes on one host find each other with no configuration;
// registry.Addrs (or --registry_address) names members to join.
package gossip

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/microreg/microreg/registry"
)

// Name is the backend's name in the registry table and String().
const Name = "gossip"

// ErrNotStarted wraps the reason a node could not start (its address was
// taken, a bad key); every call then returns it.
var ErrNotStarted = errors.New("gossip: node not started")

func init() { registry.Register(Name, NewRegistry) }

type gossipRegistry struct {
	store *registry.Store

	optsMu sync.RWMutex
	opts   registry.Options

	mu      sync.Mutex // the replicated state
	name    string
	epoch   int64
	ltime   uint64
	entries map[entryKey]*entry
	dead    map[string]int64 // origin -> epoch declared dead
	// silenced drops memberlist's log lines once the node is closed.
	silenced atomic.Bool
	// checking are the origins reported dead by another member that this
	// one is checking for itself (deathhint.go).
	checking map[string]bool
	closed   bool
	// members are copies of the live members' addresses, kept from
	// memberlist's events: its own *Node values change under its lock and
	// must not be read outside it.
	members map[string]memberlist.Node
	// memberCount is len(members), for the broadcast queue (see config).
	memberCount atomic.Int64

	// failed are the members declared dead without leaving, tried again
	// by the reconnector (reconnect.go); left, those that said they
	// leave.
	failed map[string]failedMember
	left   map[string]bool

	ml        *memberlist.Memberlist
	queue     *memberlist.TransmitLimitedQueue
	keyring   *memberlist.Keyring // nil without encryption
	label     string
	reconnect reconnectTimes
	maxBcast  int
	startErr  error
	joinErr   error // the first join, if every member refused this node
	seeds     []string

	sends   chan send     // messages straight to members, for the sender
	pushOwn chan struct{} // a burst: the sender sends this node's whole state (burst.go)
	kick    chan struct{} // new seeds for the joiner
	done    chan struct{}
	wg      sync.WaitGroup
}

type send struct {
	to       *memberlist.Node // nil: every other member
	msg      []byte
	reliable bool // TCP; otherwise a best-effort packet
}

// NewRegistry starts a gossip node. If it cannot start, the registry it
// returns answers every call with an error wrapping ErrNotStarted (and
// Init tries again); New returns that error at once.
func NewRegistry(opts ...registry.Option) registry.Registry {
	g, _ := start(opts...)
	return g
}

// New starts a gossip node and returns the error if it cannot, or if the
// members it was given to join refused it (ErrRejected: another cluster
// name or key).
func New(opts ...registry.Option) (registry.Registry, error) {
	g, err := start(opts...)
	if err == nil {
		err = g.joinErr
	}
	if err != nil {
		_ = g.Close()
		return nil, err
	}
	return g, nil
}

func start(opts ...registry.Option) (*gossipRegistry, error) {
	o := *registry.NewOptions(opts...)
	var storeOpts []registry.StoreOption
	if c, ok := registry.ContextValue[registry.Clock](o, clockKey{}); ok {
		storeOpts = append(storeOpts, registry.WithClock(c))
	}
	g := &gossipRegistry{
		store:    registry.NewStore(storeOpts...),
		opts:     o,
		epoch:    time.Now().UnixNano(),
		entries:  map[entryKey]*entry{},
		dead:     map[string]int64{},
		checking: map[string]bool{},
		members:  map[string]memberlist.Node{},
		failed:   map[string]failedMember{},
		left:     map[string]bool{},
		sends:    make(chan send, 256),
		pushOwn:  make(chan struct{}, 1),
		kick:     make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
	g.startErr = g.startMember()
	if g.startErr == nil {
		first := o.Addrs
		if len(first) == 0 {
			first = g.seeds // the node on the default port, if this one could not take it
		}
		g.joinErr = g.joinNow(first)
		g.startLoops()
		g.setSeeds(o.Addrs)
	}
	return g, g.startErr
}

// startMember creates the memberlist node.
func (g *gossipRegistry) startMember() error {
	o := g.Options()
	cfg, implicitSeed, err := g.config(o)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotStarted, err)
	}
	ml, err := memberlist.Create(cfg)
	if err != nil && implicitSeed != "" && strings.Contains(err.Error(), "address already in use") {
		// Another process on this host has the default port: take a free
		// one and join that process.
		cfg.BindPort, cfg.AdvertisePort = 0, 0
		ml, err = memberlist.Create(cfg)
		if err == nil && len(o.Addrs) == 0 {
			g.seeds = []string{implicitSeed}
		}
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotStarted, err)
	}
	g.mu.Lock()
	g.ml = ml
	g.mu.Unlock()
	return nil
}

// config builds the memberlist configuration from the options; the second
// result is the default member to join if the default port is taken.
func (g *gossipRegistry) config(o registry.Options) (*memberlist.Config, string, error) {
	bind, explicit := registry.ContextValue[hostPort](o, bindKey{})
	if !explicit {
		bind = hostPort{DefaultBindAddr, DefaultPort}
	}
	cfg, full := registry.ContextValue[*memberlist.Config](o, configKey{})
	if full && cfg != nil {
		c := *cfg
		cfg = &c
	} else {
		preset, ok := registry.ContextValue[Preset](o, presetKey{})
		if !ok {
			preset = LAN
			if ip := net.ParseIP(bind.host); ip != nil && ip.IsLoopback() {
				preset = Local
			}
		}
		switch preset {
		case Local:
			cfg = LocalConfig()
		case LAN:
			cfg = memberlist.DefaultLANConfig()
		case WAN:
			cfg = memberlist.DefaultWANConfig()
		default:
			return nil, "", fmt.Errorf("unknown preset %q (want local, lan or wan)", preset)
		}
	}
	if !full || explicit {
		cfg.BindAddr, cfg.BindPort = bind.host, bind.port
		cfg.AdvertiseAddr, cfg.AdvertisePort = "", bind.port
	}
	if adv, ok := registry.ContextValue[hostPort](o, advertiseKey{}); ok {
		cfg.AdvertiseAddr, cfg.AdvertisePort = adv.host, adv.port
	}
	if name, ok := registry.ContextValue[string](o, nameKey{}); ok && name != "" {
		cfg.Name = name
	} else if !full || cfg.Name == "" {
		cfg.Name = randomName()
	}
	keys, err := secretKeys(o)
	if err != nil {
		return nil, "", err
	}
	if len(keys) > 0 {
		kr, err := memberlist.NewKeyring(keys, keys[0])
		if err != nil {
			return nil, "", err
		}
		cfg.SecretKey, cfg.Keyring = nil, kr
		g.keyring = kr
	}
	if name, ok := registry.ContextValue[string](o, clusterKey{}); ok {
		cfg.Label = name
	}
	g.label = cfg.Label
	g.reconnect = reconnectTimes{4 * cfg.ProbeInterval, DefaultReconnectTimeout}
	if rt, ok := registry.ContextValue[reconnectTimes](o, reconnectKey{}); ok {
		g.reconnect = rt
		if rt.timeout <= 0 {
			g.reconnect.timeout = DefaultReconnectTimeout
		}
	}
	if cfg.Logger == nil && cfg.LogOutput == nil {
		cfg.Logger = newMemberlistLogger(g)
	}
	g.name = cfg.Name
	d := delegate{g}
	cfg.Delegate, cfg.Events = d, d
	g.queue = &memberlist.TransmitLimitedQueue{
		// Not ml.NumMembers: memberlist asks its delegate for broadcasts
		// with its node lock held for reading, and the queue calls this
		// with its own lock held; taking the node lock again here waits
		// behind any writer that waits for the first reader, and the
		// three deadlock (seen at 30 members).
		NumNodes:       func() int { return max(1, int(g.memberCount.Load())) },
		RetransmitMult: relayMult * cfg.RetransmitMult,
	}
	// A broadcast shares a packet with memberlist's own messages: keep
	// well under the packet size and send anything bigger over TCP.
	g.maxBcast = cfg.UDPBufferSize - 200
	implicit := ""
	if !explicit {
		implicit = net.JoinHostPort(bind.host, strconv.Itoa(DefaultPort))
	}
	return cfg, implicit, nil
}

// relayMult multiplies memberlist's RetransmitMult for registry updates.
// An update reaches the members its origin knows directly, and the rest
// only through relays, each queued for RetransmitMult·⌈log10(N+1)⌉
// packets to random members: memberlist's own count (4 at under 10
// members) left a member unreached by every relay often enough to be
// seen (about 1 registration in 100 on 5 members whose origin had not yet
// heard of one of them, until the next push/pull up to 15 s later). A
// miss falls exponentially with the transmissions; twice as many make it
// about the square of that. Only updates pay for it: memberlist's own
// messages and the steady state are unchanged.
const relayMult = 2

// LocalConfig is the Local preset: memberlist.DefaultLocalConfig with a
// 500 ms probe interval (memberlist's is 1 s), since a probe on one host
// costs microseconds, and a suspicion multiplier of 2 (memberlist's local
// preset has 3): a suspected member is declared dead after
// 2 × log10(N) × 500 ms (about 1.5 s at 30 members) without waiting for
// other members to confirm the suspicion, which at 3 can stretch the
// verdict to 13 s when no confirmation comes. A member wrongly suspected
// refutes the suspicion itself as soon as it hears it, whatever the
// timeout.
func LocalConfig() *memberlist.Config {
	c := memberlist.DefaultLocalConfig()
	c.ProbeInterval = 500 * time.Millisecond
	c.SuspicionMult = 2
	return c
}

func randomName() string {
	host, _ := os.Hostname()
	if host == "" {
		host = "node"
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}

func (g *gossipRegistry) numMembers() int {
	g.mu.Lock()
	ml := g.ml
	g.mu.Unlock()
	if ml == nil {
		return 1
	}
	return ml.NumMembers()
}

func (g *gossipRegistry) ready() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.closed:
		return registry.ErrClosed
	case g.startErr != nil:
		return g.startErr
	}
	return nil
}

// Init applies opts; new addresses are joined (in the background until
// one answers) and every loop keeps running. A node that could not start
// tries again.
func (g *gossipRegistry) Init(opts ...registry.Option) error {
	g.optsMu.Lock()
	before := g.opts.Addrs
	for _, o := range opts {
		o(&g.opts)
	}
	addrs := g.opts.Addrs
	g.optsMu.Unlock()
	g.mu.Lock()
	failed, closed := g.startErr != nil, g.closed
	g.mu.Unlock()
	if closed {
		return registry.ErrClosed
	}
	if failed {
		err := g.startMember()
		g.mu.Lock()
		g.startErr = err
		g.mu.Unlock()
		if err != nil {
			return err
		}
		g.startLoops()
	} else if err := g.rekey(); err != nil {
		return err
	}
	var err error
	if !slices.Equal(before, addrs) {
		err = g.joinNow(addrs)
	}
	g.setSeeds(addrs)
	return err
}

// startLoops starts the node's goroutines, which run until Close.
func (g *gossipRegistry) startLoops() {
	g.wg.Add(2)
	go g.sender()
	go g.joiner()
	if g.reconnect.interval > 0 {
		g.wg.Add(1)
		go g.reconnector()
	}
}

func (g *gossipRegistry) Options() registry.Options {
	g.optsMu.RLock()
	defer g.optsMu.RUnlock()
	return g.opts
}

func (g *gossipRegistry) Register(s *registry.Service, opts ...registry.RegisterOption) error {
	o, err := registry.ApplyRegister(opts...)
	if err != nil {
		return err
	}
	if err := g.ready(); err != nil {
		return err
	}
	if err := registry.ValidateService(s); err != nil {
		return err
	}
	g.mu.Lock()
	if g.unchanged(s, o.TTL) {
		g.mu.Unlock()
		return nil
	}
	if err := g.store.Register(s, o.TTL); err != nil {
		g.mu.Unlock()
		return err
	}
	u := g.ownUpdate(opRegister, s, o.TTL)
	g.mu.Unlock()
	return g.publish(u)
}

// unchanged reports whether registering s again would change nothing
// anywhere: every node registered before with the same content and no
// TTL to refresh. g.mu is held.
func (g *gossipRegistry) unchanged(s *registry.Service, ttl time.Duration) bool {
	if ttl > 0 {
		return false
	}
	for _, n := range s.Nodes {
		e, ok := g.entries[entryKey{g.name, s.Name, s.Version, n.Id}]
		if !ok || e.u.Op != opRegister || e.u.TTL != 0 {
			return false
		}
		old := e.u.Service
		if !registry.EqualNode(old.Nodes[0], n) || !maps.Equal(old.Metadata, s.Metadata) ||
			!registry.EqualEndpoints(old.Endpoints, s.Endpoints) {
			return false
		}
	}
	return true
}

func (g *gossipRegistry) Deregister(s *registry.Service, opts ...registry.DeregisterOption) error {
	_, err := registry.ApplyDeregister(opts...)
	if err != nil {
		return err
	}
	if err := g.ready(); err != nil {
		return err
	}
	if err := registry.ValidateDeregister(s); err != nil {
		return err
	}
	g.mu.Lock()
	if err := g.store.Deregister(s); err != nil {
		g.mu.Unlock()
		return err
	}
	u := g.ownUpdate(opDeregister, s, 0)
	g.mu.Unlock()
	return g.publish(u)
}

// publish gossips u, or sends it over TCP to every member if it is too
// large for a packet.
func (g *gossipRegistry) publish(u *update) error {
	msg, err := encode(kindUpdates, []*update{u})
	if err != nil {
		return err
	}
	if len(msg) <= g.maxBcast {
		// A packet straight to every member reaches each in one hop;
		// the gossip (relayed by every node that learns of it) and
		// push/pull cover any packet lost on the way.
		g.enqueueSend(send{msg: msg})
		g.queue.QueueBroadcast(&broadcast{name: broadcastName(u), msg: msg})
		return nil
	}
	g.enqueueSend(send{msg: msg, reliable: true})
	return nil
}

// relay queues an update received from another node for gossip.
func (g *gossipRegistry) relay(u *update) {
	msg, err := encode(kindUpdates, []*update{u})
	if err != nil || len(msg) > g.maxBcast {
		return
	}
	g.queue.QueueBroadcast(&broadcast{name: broadcastName(u), msg: msg})
}

func (g *gossipRegistry) enqueueSend(s send) {
	if s.to == nil && len(g.sends) >= burstBacklog {
		g.coalesce() // a burst: see burst.go
		return
	}
	select {
	case g.sends <- s:
	case <-g.done:
	default:
		if s.to == nil {
			g.coalesce()
			return
		}
		// The sender is far behind: push/pull will carry this message.
		g.logf(logWarn, "gossip: send queue full; a message to %s waits for the next state exchange", s.to.Name)
	}
}

func (g *gossipRegistry) GetService(name string, opts ...registry.GetOption) ([]*registry.Service, error) {
	_, err := registry.ApplyGet(opts...)
	if err != nil {
		return nil, err
	}
	return g.store.Get(name)
}

func (g *gossipRegistry) ListServices(opts ...registry.ListOption) ([]*registry.Service, error) {
	_, err := registry.ApplyList(opts...)
	if err != nil {
		return nil, err
	}
	return g.store.List(), nil
}

func (g *gossipRegistry) Watch(opts ...registry.WatchOption) (registry.Watcher, error) {
	return g.store.Watch(opts...)
}

func (g *gossipRegistry) String() string { return Name }

// Close leaves the cluster (so others drop this node's services at once),
// shuts the node down and stops every goroutine. Reach it through
// registry.Close(r).
func (g *gossipRegistry) Close() error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil
	}
	g.closed = true
	ml := g.ml
	g.mu.Unlock()
	close(g.done)
	g.wg.Wait()
	var err error
	if ml != nil {
		g.sayBye(ml)
		if lerr := ml.Leave(time.Second); lerr != nil {
			g.logf(logWarn, "gossip: leave: %v", lerr)
		}
		g.silenced.Store(true)
		err = ml.Shutdown()
	}
	return errors.Join(err, g.store.Close())
}

// LocalAddr returns the host:port a gossip registry's node listens on, for
// others to join; ok is false for other registries or a node not started.
func LocalAddr(r registry.Registry) (addr string, ok bool) {
	g, isGossip := r.(*gossipRegistry)
	if !isGossip {
		return "", false
	}
	// Not under g.mu: memberlist calls the delegate, which takes g.mu,
	// with its node lock held, and LocalNode takes that lock.
	g.mu.Lock()
	ml := g.ml
	g.mu.Unlock()
	if ml == nil {
		return "", false
	}
	n := ml.LocalNode()
	return net.JoinHostPort(n.Addr.String(), strconv.Itoa(int(n.Port))), true
}

// Members returns how many live members a gossip registry's node sees,
// itself included; 0 for other registries or a node not started.
func Members(r registry.Registry) int {
	g, ok := r.(*gossipRegistry)
	if !ok || g.ready() != nil {
		return 0
	}
	return g.numMembers()
}
