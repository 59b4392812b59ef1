package engine

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// Store is the local view of services every backend keeps: go-micro's merge
// semantics, deep copies in and out, TTL expiry, and watchers fed by the
// diff of each change.
//
// Reads never take a lock: each service name maps to an immutable snapshot
// (one *Service per version, versions and nodes sorted) that a write
// replaces whole. Writes are serialised, and each one is published to the
// watchers before the next begins, so every watcher sees changes to a name
// in commit order.
type Store struct {
	clock    Clock
	queueLen int

	names sync.Map // string -> []*Service, immutable

	mu       sync.Mutex // serialises writes, publishing and resyncs
	limits   viewLimits
	count    struct{ services, nodes int }
	ttl      ttlIndex
	watchers map[*watcher]struct{}
	closed   bool

	wake chan struct{} // a new earliest deadline for the reaper
	done chan struct{} // closed by Close
	wg   sync.WaitGroup
}

// DefaultWatchQueue is how many events a watcher holds before it starts
// coalescing (see Store.Watch).
const DefaultWatchQueue = 1024

// StoreOption configures a Store.
type StoreOption func(*Store)

// WithClock sets the clock TTLs are measured on (default SystemClock).
func WithClock(c Clock) StoreOption {
	return func(s *Store) {
		if c != nil {
			s.clock = c
		}
	}
}

// WithWatchQueue sets the per-watcher queue length (default
// DefaultWatchQueue); values below 1 are ignored.
func WithWatchQueue(n int) StoreOption {
	return func(s *Store) {
		if n > 0 {
			s.queueLen = n
		}
	}
}

// NewStore returns an empty Store with its TTL reaper running; Close
// stops it.
func NewStore(opts ...StoreOption) *Store {
	s := &Store{
		clock:    SystemClock,
		queueLen: DefaultWatchQueue,
		limits:   viewLimits{DefaultMaxServices, DefaultMaxNodes},
		watchers: map[*watcher]struct{}{},
		ttl:      newTTLIndex(),
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	s.wg.Add(1)
	go s.reap()
	return s
}

// Clock returns the clock the store measures TTLs on.
func (s *Store) Clock() Clock { return s.clock }

// snapshot returns the current immutable snapshot of name.
func (s *Store) snapshot(name string) []*Service {
	v, ok := s.names.Load(name)
	if !ok {
		return nil
	}
	return v.([]*Service)
}

// Get returns deep copies of every version of name, or ErrNotFound itself.
func (s *Store) Get(name string) ([]*Service, error) {
	snap := s.snapshot(name)
	if len(snap) == 0 {
		return nil, ErrNotFound
	}
	return CopyServices(snap), nil
}

// List returns deep copies of every version of every service, sorted by
// name and version.
func (s *Store) List() []*Service {
	var out []*Service
	s.names.Range(func(_, v any) bool {
		for _, svc := range v.([]*Service) {
			out = append(out, CopyService(svc))
		}
		return true
	})
	slices.SortFunc(out, func(a, b *Service) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version))
	})
	return out
}

// Names returns the names of the services in the store, sorted.
func (s *Store) Names() []string {
	var out []string
	s.names.Range(func(k, _ any) bool {
		out = append(out, k.(string))
		return true
	})
	slices.Sort(out)
	return out
}

// Register merges svc into the store with go-micro's semantics: same name
// and version merge nodes, the call's metadata and endpoints replace the
// version's, and a node already there is replaced (an update if it
// changed). ttl > 0 makes the nodes expire unless registered again within
// ttl; ttl == 0 keeps them until deregistered. svc is validated and copied;
// an invalid svc changes nothing.
func (s *Store) Register(svc *Service, ttl time.Duration) error {
	if err := ValidateService(svc); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	old := s.snapshot(svc.Name)
	if i := slices.IndexFunc(old, func(v *Service) bool { return v.Version == svc.Version }); i >= 0 && !changed(old[i], svc) {
		// A heartbeat: nothing changes but the nodes' deadlines.
		s.setTTLs(svc, ttl)
		return nil
	}
	in := CopyService(svc)
	sortNodes(in.Nodes)
	next := slices.Clone(old)
	i := slices.IndexFunc(next, func(v *Service) bool { return v.Version == in.Version })
	if i < 0 {
		next = append(next, in)
		sortVersions(next)
	} else {
		merged := withNodes(in, mergeNodes(next[i].Nodes, in.Nodes))
		next[i] = merged
	}
	if err := s.overLimit(in.Name, old, next); err != nil {
		return err
	}
	s.setTTLs(in, ttl)
	s.commit(in.Name, old, next)
	return nil
}

// setTTLs gives svc's nodes a deadline ttl from now, or none if ttl is 0;
// s.mu is held.
func (s *Store) setTTLs(svc *Service, ttl time.Duration) {
	if ttl <= 0 {
		if len(s.ttl.deadline) == 0 {
			return
		}
		for _, n := range svc.Nodes {
			s.ttl.remove(nodeKey{svc.Name, svc.Version, n.Id})
		}
		return
	}
	at := s.clock.Now().Add(ttl)
	for _, n := range svc.Nodes {
		if s.ttl.set(nodeKey{svc.Name, svc.Version, n.Id}, at) {
			s.poke()
		}
	}
}

// Deregister removes the nodes of svc (matched by id) from its version;
// the version goes with its last node and the service with its last
// version. Nodes not in the store are ignored.
func (s *Store) Deregister(svc *Service) error {
	if err := ValidateDeregister(svc); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	ids := make([]string, len(svc.Nodes))
	for i, n := range svc.Nodes {
		ids[i] = n.Id
	}
	s.removeNodes(svc.Name, svc.Version, ids)
	return nil
}

// Replace sets every version of name at once, the way a backend mirrors a
// remote view (a Consul health query, a gossip peer's state). The store
// takes ownership of services, which the caller must not change again; an
// empty list removes the name. Nodes replaced this way have no TTL here.
// A replacement that would pass the view's limits changes nothing and
// returns an error wrapping ErrLimit.
func (s *Store) Replace(name string, services []*Service) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	var next []*Service
	for _, svc := range services {
		if svc == nil || len(svc.Nodes) == 0 {
			continue
		}
		sortNodes(svc.Nodes)
		next = append(next, svc)
	}
	sortVersions(next)
	old := s.snapshot(name)
	if err := s.overLimit(name, old, next); err != nil {
		return err
	}
	for _, v := range old {
		for _, n := range v.Nodes {
			s.ttl.remove(nodeKey{name, v.Version, n.Id})
		}
	}
	s.commit(name, old, next)
	return nil
}

// removeNodes drops ids from one version; s.mu is held.
func (s *Store) removeNodes(name, version string, ids []string) {
	old := s.snapshot(name)
	i := slices.IndexFunc(old, func(v *Service) bool { return v.Version == version })
	if i < 0 {
		return
	}
	kept := make([]*Node, 0, len(old[i].Nodes))
	for _, n := range old[i].Nodes {
		if slices.Contains(ids, n.Id) {
			s.ttl.remove(nodeKey{name, version, n.Id})
			continue
		}
		kept = append(kept, n)
	}
	if len(kept) == len(old[i].Nodes) {
		return
	}
	next := slices.Clone(old)
	if len(kept) == 0 {
		next = slices.Delete(next, i, i+1)
	} else {
		next[i] = withNodes(old[i], kept)
	}
	s.commit(name, old, next)
}

// commit installs next as name's snapshot and tells the watchers; s.mu is
// held.
func (s *Store) commit(name string, old, next []*Service) {
	s.counted(old, next)
	if len(next) == 0 {
		s.names.Delete(name)
	} else {
		s.names.Store(name, next)
	}
	if len(s.watchers) == 0 {
		return
	}
	events := Diff(old, next)
	if len(events) == 0 {
		return
	}
	for w := range s.watchers {
		w.publish(name, old, events)
	}
}

// Close stops the reaper and every watcher; later writes return ErrClosed.
// It is safe to call more than once.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	ws := make([]*watcher, 0, len(s.watchers))
	for w := range s.watchers {
		ws = append(ws, w)
	}
	s.mu.Unlock()
	close(s.done)
	for _, w := range ws {
		w.Stop()
	}
	s.wg.Wait()
	return nil
}

// mergeNodes returns old's nodes with those of in replacing or joining
// them, sorted by id.
func mergeNodes(old, in []*Node) []*Node {
	out := make([]*Node, 0, len(old)+len(in))
	out = append(out, in...)
	for _, n := range old {
		if findNode(in, n.Id) == nil {
			out = append(out, n)
		}
	}
	sortNodes(out)
	return out
}

func sortNodes(nodes []*Node) {
	slices.SortFunc(nodes, func(a, b *Node) int { return cmp.Compare(a.Id, b.Id) })
}

func sortVersions(list []*Service) {
	slices.SortFunc(list, func(a, b *Service) int { return cmp.Compare(a.Version, b.Version) })
}
