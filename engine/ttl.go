package engine

import (
	"container/heap"
	"time"
)

// nodeKey names one node of one service version.
type nodeKey struct{ name, version, id string }

// ttlIndex is the TTL bookkeeping of a Store: each node's deadline, and a
// min-heap to find the earliest. Stale heap entries (a deadline since moved
// or removed) are skipped when they surface.
type ttlIndex struct {
	deadline map[nodeKey]time.Time
	heap     deadlineHeap
}

func newTTLIndex() ttlIndex {
	return ttlIndex{deadline: map[nodeKey]time.Time{}}
}

// set gives k a deadline and reports whether it is now the earliest.
func (t *ttlIndex) set(k nodeKey, at time.Time) bool {
	t.deadline[k] = at
	heap.Push(&t.heap, deadlineEntry{k, at})
	next, _ := t.next()
	return next.Equal(at)
}

func (t *ttlIndex) remove(k nodeKey) { delete(t.deadline, k) }

// next returns the earliest live deadline.
func (t *ttlIndex) next() (time.Time, bool) {
	for t.heap.Len() > 0 {
		top := t.heap[0]
		if at, ok := t.deadline[top.key]; ok && at.Equal(top.at) {
			return top.at, true
		}
		heap.Pop(&t.heap)
	}
	return time.Time{}, false
}

// due removes and returns the keys whose deadline is not after now.
func (t *ttlIndex) due(now time.Time) []nodeKey {
	var out []nodeKey
	for {
		at, ok := t.next()
		if !ok || at.After(now) {
			return out
		}
		e := heap.Pop(&t.heap).(deadlineEntry)
		delete(t.deadline, e.key)
		out = append(out, e.key)
	}
}

type deadlineEntry struct {
	key nodeKey
	at  time.Time
}

type deadlineHeap []deadlineEntry

func (h deadlineHeap) Len() int           { return len(h) }
func (h deadlineHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h deadlineHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *deadlineHeap) Push(x any)        { *h = append(*h, x.(deadlineEntry)) }
func (h *deadlineHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// poke tells the reaper the earliest deadline moved; s.mu is held.
func (s *Store) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Expire removes every node whose TTL ran out by the store clock's now,
// with delete events; the reaper calls it, and so may a backend.
func (s *Store) Expire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	due := s.ttl.due(s.clock.Now())
	type version struct{ name, version string }
	byVersion := map[version][]string{}
	var order []version
	for _, k := range due {
		v := version{k.name, k.version}
		if _, ok := byVersion[v]; !ok {
			order = append(order, v)
		}
		byVersion[v] = append(byVersion[v], k.id)
	}
	for _, v := range order {
		s.removeNodes(v.name, v.version, byVersion[v])
	}
}

// reap waits for the earliest deadline on the store's clock and expires
// what is due, until Close.
func (s *Store) reap() {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		next, ok := s.ttl.next()
		now := s.clock.Now()
		s.mu.Unlock()

		var fire <-chan time.Time
		var timer Timer
		if ok {
			timer = s.clock.NewTimer(max(next.Sub(now), 0))
			fire = timer.C()
			if !s.clock.Now().Before(next) {
				// The clock passed the deadline while the timer was
				// being made (a fake clock advanced in between would
				// otherwise leave the timer waiting for an advance that
				// never comes).
				timer.Stop()
				s.Expire()
				continue
			}
		}
		select {
		case <-s.done:
			if timer != nil {
				timer.Stop()
			}
			return
		case <-s.wake:
			if timer != nil {
				timer.Stop()
			}
		case <-fire:
			s.Expire()
		}
	}
}
