package engine

import (
	"context"
	"sync"
)

// Watch returns a watcher of the store's changes: of every service, or of
// one with WatchService. A slow watcher never blocks writers or other
// watchers: each has a queue of DefaultWatchQueue events (WithWatchQueue),
// and when a change to a service would overflow it, that service's events
// are coalesced until the watcher catches up, then delivered as the net
// diff from the last state the watcher was sent to the current one. So no
// change is ever lost (a consumer that applies every event, as go-micro's
// registry/cache does, always ends at the store's state) though
// intermediate states of a coalesced service may be skipped. If the
// options carry a Context, the watcher stops when it is done.
func (s *Store) Watch(opts ...WatchOption) (Watcher, error) {
	o, err := ApplyWatch(opts...)
	if err != nil {
		return nil, err
	}
	w := &watcher{
		store:   s,
		service: o.Service,
		signal:  make(chan struct{}, 1),
		done:    make(chan struct{}),
		dirty:   map[string][]*Service{},
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	s.watchers[w] = struct{}{}
	s.mu.Unlock()
	if o.Context != nil && o.Context.Done() != nil {
		w.stopCtx = context.AfterFunc(o.Context, w.Stop)
	}
	return w, nil
}

// WatcherCount reports how many watchers are running.
func (s *Store) WatcherCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.watchers)
}

type watcher struct {
	store   *Store
	service string
	stopCtx func() bool

	mu      sync.Mutex
	queue   []*Result
	head    int
	order   []string              // dirty names, oldest first
	dirty   map[string][]*Service // name -> last state the watcher was sent
	stopped bool

	err error // set by Fail: Next returns it, then the watcher stops

	signal chan struct{}
	done   chan struct{}
	once   sync.Once
}

// Fail makes the backend's trouble visible: the watchers of name, and
// every watcher of all services, return err from their next Next, once.
// They keep running: a caller that goes on calling Next receives the
// changes made once the backend recovers (go-micro's registry/cache
// stops and watches again, which works too). With name "" only the
// watchers of all services are told.
func (s *Store) Fail(name string, err error) {
	s.mu.Lock()
	var ws []*watcher
	for w := range s.watchers {
		if w.service == "" || w.service == name {
			ws = append(ws, w)
		}
	}
	s.mu.Unlock()
	for _, w := range ws {
		w.mu.Lock()
		if !w.stopped && w.err == nil {
			w.err = err
		}
		w.mu.Unlock()
		select {
		case w.signal <- struct{}{}:
		default:
		}
	}
}

// publish queues the events of one commit to name; store.mu is held.
func (w *watcher) publish(name string, old []*Service, events []*Result) {
	if w.service != "" && w.service != name {
		return
	}
	w.mu.Lock()
	switch {
	case w.stopped:
	case w.isDirty(name):
		// Already coalescing this name: its baseline stays.
	case len(w.queue)-w.head+len(events) <= w.store.queueLen:
		w.queue = append(w.queue, events...)
	default:
		w.dirty[name] = old
		w.order = append(w.order, name)
	}
	w.mu.Unlock()
	select {
	case w.signal <- struct{}{}:
	default:
	}
}

func (w *watcher) isDirty(name string) bool {
	_, ok := w.dirty[name]
	return ok
}

// Next blocks until an event is ready or the watcher stops; after Stop it
// returns ErrWatcherStopped. Each Result is the caller's own copy.
func (w *watcher) Next() (*Result, error) {
	for {
		w.mu.Lock()
		if w.stopped {
			w.mu.Unlock()
			return nil, ErrWatcherStopped
		}
		if err := w.err; err != nil {
			w.err = nil
			w.mu.Unlock()
			return nil, err
		}
		if w.head < len(w.queue) {
			r := w.queue[w.head]
			w.queue[w.head] = nil
			w.head++
			if w.head == len(w.queue) {
				w.queue, w.head = w.queue[:0], 0
			}
			w.mu.Unlock()
			return &Result{Action: r.Action, Service: CopyService(r.Service)}, nil
		}
		resync := len(w.order) > 0
		w.mu.Unlock()
		if resync {
			w.resync()
			continue
		}
		select {
		case <-w.signal:
		case <-w.done:
		}
	}
}

// resync turns the oldest coalesced name into the events from the state
// the watcher last saw to the current one. It holds store.mu so that no
// commit lands between reading the current state and queueing its diff.
func (w *watcher) resync() {
	w.store.mu.Lock()
	defer w.store.mu.Unlock()
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.order) == 0 {
		return
	}
	name := w.order[0]
	w.order = w.order[1:]
	base := w.dirty[name]
	delete(w.dirty, name)
	w.queue = append(w.queue, Diff(base, w.store.snapshot(name))...)
}

// Stop ends the watcher: a blocked Next returns ErrWatcherStopped, as do
// later ones. It is safe to call more than once and from any goroutine.
func (w *watcher) Stop() {
	w.once.Do(func() {
		w.mu.Lock()
		w.stopped = true
		w.queue, w.order, w.dirty = nil, nil, nil
		w.mu.Unlock()
		close(w.done)
		if w.stopCtx != nil {
			w.stopCtx()
		}
		w.store.mu.Lock()
		delete(w.store.watchers, w)
		w.store.mu.Unlock()
	})
}
