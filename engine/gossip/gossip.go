package gossip

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/microreg/microreg/engine"
)

// Name is the backend's name in the registry table and String().
const Name = "gossip"

// ErrNotStarted is engine.ErrNotStarted: it wraps the reason a
// gossip registry could not start, which New returns at once and every
// call of one built by Open returns.
var ErrNotStarted = engine.ErrNotStarted

// Registry is a gossip node: engine.Registry, plus Close,
// LocalAddr and Members. New returns one; Open returns one even when it
// cannot start.
type Registry struct {
	store *engine.Store

	optsMu sync.RWMutex
	opts   engine.Options

	mu      sync.Mutex // the replicated state
	name    string
	epoch   int64
	ltime   uint64
	entries map[entryKey]*entry
	// perOrigin counts entries by origin, for maxPerMember (limits.go);
	// refused, what was refused for the limits.
	perOrigin    map[string]int
	maxPerMember int
	refused      engine.Refusals
	dead         map[string]int64 // origin -> epoch declared dead
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
	bind      string // the host listened on; "" with a custom Transport
	reconnect reconnectTimes
	maxBcast  int
	startErr  error
	joinErr   error // the first join, if every member refused this node
	seeds     []string
	// lastJoin is the last join tried and how it went; refusals counts
	// memberlist's log lines about members of another key or cluster name
	// (diagnose.go).
	lastJoin joinAttempt
	refusals atomic.Int64

	sends   chan send     // messages straight to members, for the sender
	pushOwn chan struct{} // a burst: the sender sends this node's whole state (burst.go)
	kick    chan struct{} // new seeds for the joiner
	done    chan struct{}
	wg      sync.WaitGroup
}

// Open starts a gossip node. If it cannot start, the registry it
// returns answers every call with an error wrapping ErrNotStarted (and
// Init tries again); New returns that error at once.
func Open(opts ...engine.Option) *Registry {
	g, _ := start(opts...)
	return g
}

// New starts a gossip node and returns the error if it cannot, or if the
// members it was given to join refused it (ErrRejected: another cluster
// name or key).
func New(opts ...engine.Option) (*Registry, error) {
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

func start(opts ...engine.Option) (*Registry, error) {
	o := *engine.NewOptions(opts...)
	g := &Registry{
		store:   engine.NewStoreFor(o),
		opts:    o,
		epoch:   time.Now().UnixNano(),
		entries: map[entryKey]*entry{},
		dead:    map[string]int64{},

		perOrigin:    map[string]int{},
		maxPerMember: engine.DefaultMaxNodesPerPeer,
		checking:     map[string]bool{},
		members:      map[string]memberlist.Node{},
		failed:       map[string]failedMember{},
		left:         map[string]bool{},
		sends:        make(chan send, 256),
		pushOwn:      make(chan struct{}, 1),
		kick:         make(chan struct{}, 1),
		done:         make(chan struct{}),
	}
	if n, ok := engine.ContextValue[int](o, maxPerMemberKey{}); ok && n > 0 {
		g.maxPerMember = n
	}
	g.startErr = engine.CheckOptions(o, Name)
	if g.startErr == nil {
		g.startErr = g.startMember()
	}
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

// startMember creates the memberlist node from the options, and sets up
// what the node's loops read (its name, keyring, queue).
func (g *Registry) startMember() error {
	o := g.Options()
	nc, err := buildConfig(o)
	if err != nil {
		return fmt.Errorf("gossip: %w: %w", ErrNotStarted, err)
	}
	cfg := nc.ml
	if cfg.Logger == nil && cfg.LogOutput == nil {
		cfg.Logger = newMemberlistLogger(g)
	}
	d := delegate{g}
	cfg.Delegate, cfg.Events = d, d
	g.mu.Lock()
	g.name, g.keyring, g.label, g.reconnect = cfg.Name, nc.keyring, cfg.Label, nc.reconnect
	g.bind = ""
	if cfg.Transport == nil {
		g.bind = cfg.BindAddr
	}
	g.maxBcast = nc.maxBcast
	g.queue = g.newQueue(cfg.RetransmitMult)
	g.mu.Unlock()
	ml, err := memberlist.Create(cfg)
	if err != nil && nc.implicitSeed != "" && strings.Contains(err.Error(), "address already in use") {
		// Another process on this host has the default port: take a free
		// one and join that process.
		cfg.BindPort, cfg.AdvertisePort = 0, 0
		ml, err = memberlist.Create(cfg)
		if err == nil && len(o.Addrs) == 0 {
			g.seeds = []string{nc.implicitSeed}
		}
	}
	if err != nil {
		return fmt.Errorf("gossip: %w: %w", ErrNotStarted, err)
	}
	g.mu.Lock()
	g.ml = ml
	g.mu.Unlock()
	return nil
}

func (g *Registry) numMembers() int {
	g.mu.Lock()
	ml := g.ml
	g.mu.Unlock()
	if ml == nil {
		return 1
	}
	return ml.NumMembers()
}

func (g *Registry) ready() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.closed:
		return engine.ErrClosed
	case g.startErr != nil:
		return g.startErr
	}
	return nil
}

// Init applies opts; new addresses are joined (in the background until
// one answers) and every loop keeps running. A node that could not start
// tries again. A running node applies SecretKey and SecretKeys (key
// rotation) and ClusterName (unchanged); any other gossip option, or
// another backend's, is an error wrapping engine.ErrOption, and nothing
// is applied. A node that could not start takes every option.
func (g *Registry) Init(opts ...engine.Option) error {
	g.mu.Lock()
	running := g.startErr == nil
	g.mu.Unlock()
	atRuntime := func(name string) bool {
		return !running || name == "gossip.SecretKey" || name == "gossip.SecretKeys" || name == "gossip.ClusterName"
	}
	if err := engine.CheckInit(Name, atRuntime, opts...); err != nil {
		return err
	}
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
		return engine.ErrClosed
	}
	if failed {
		err := engine.CheckOptions(g.Options(), Name)
		if err == nil {
			err = g.startMember()
		}
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
func (g *Registry) startLoops() {
	g.wg.Add(2)
	go g.sender()
	go g.joiner()
	if g.reconnect.interval > 0 {
		g.wg.Add(1)
		go g.reconnector()
	}
}

// Options returns the options the node was built and initialised with.
func (g *Registry) Options() engine.Options {
	g.optsMu.RLock()
	defer g.optsMu.RUnlock()
	return g.opts
}

// Register adds or updates s on this node and spreads it to every member;
// a RegisterTTL makes its nodes expire everywhere unless registered again
// in time. Registering an unchanged service without a TTL sends nothing.
func (g *Registry) Register(s *engine.Service, opts ...engine.RegisterOption) error {
	o, err := engine.ApplyRegister(opts...)
	if err != nil {
		return err
	}
	if err := g.ready(); err != nil {
		return err
	}
	if err := engine.ValidateService(s); err != nil {
		return err
	}
	g.mu.Lock()
	if g.unchanged(s, o.TTL) {
		g.mu.Unlock()
		return nil
	}
	if err := g.roomFor(s); err != nil {
		g.mu.Unlock()
		return err
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
func (g *Registry) unchanged(s *engine.Service, ttl time.Duration) bool {
	if ttl > 0 {
		return false
	}
	for _, one := range engine.PerNode(s) {
		e, ok := g.entries[entryKey{g.name, s.Name, s.Version, one.Nodes[0].Id}]
		if !ok || e.u.Op != opRegister || e.u.TTL != 0 || !engine.SameRegistration(e.u.Service, one) {
			return false
		}
	}
	return true
}

// Deregister removes the nodes of s here and on every member.
func (g *Registry) Deregister(s *engine.Service, opts ...engine.DeregisterOption) error {
	_, err := engine.ApplyDeregister(opts...)
	if err != nil {
		return err
	}
	if err := g.ready(); err != nil {
		return err
	}
	if err := engine.ValidateDeregister(s); err != nil {
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

// GetService answers from this node's view of the cluster: deep copies
// of every version of name, or engine.ErrNotFound.
func (g *Registry) GetService(name string, opts ...engine.GetOption) ([]*engine.Service, error) {
	_, err := engine.ApplyGet(opts...)
	if err != nil {
		return nil, err
	}
	return g.store.Get(name)
}

// ListServices returns deep copies of every service in this node's view.
func (g *Registry) ListServices(opts ...engine.ListOption) ([]*engine.Service, error) {
	_, err := engine.ApplyList(opts...)
	if err != nil {
		return nil, err
	}
	return g.store.List(), nil
}

// Watch returns a watcher of this node's view: every service, or one
// (WatchService).
func (g *Registry) Watch(opts ...engine.WatchOption) (engine.Watcher, error) {
	return g.store.Watch(opts...)
}

// String returns "gossip".
func (g *Registry) String() string { return Name }

// Close leaves the cluster (so others drop this node's services at once),
// shuts the node down and stops every goroutine.
func (g *Registry) Close() error {
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

// LocalAddr returns the host:port the node listens on, for others to
// join; ok is false for a node that did not start.
func (g *Registry) LocalAddr() (addr string, ok bool) {
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

// Members returns how many live members the node sees, itself included;
// 0 for a node that did not start or is closed.
func (g *Registry) Members() int {
	if g.ready() != nil {
		return 0
	}
	return g.numMembers()
}
