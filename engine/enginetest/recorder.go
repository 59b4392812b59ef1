package enginetest

import (
	"time"

	"sync"

	"github.com/microreg/microreg/engine"
)

// recorder pumps a watcher's events into a buffer as fast as Next returns
// them, so that a case can wait for one with a deadline or take them all;
// stop ends the watcher and the pump.
type recorder struct {
	e *env
	w engine.Watcher

	mu     sync.Mutex
	buf    []*engine.Result
	err    error         // what ended Next, once done is closed
	notify chan struct{} // an event arrived or the pump ended
	done   chan struct{}
}

// watch starts a watcher on r and records it.
func (e *env) watch(r engine.Registry, opts ...engine.WatchOption) *recorder {
	e.t.Helper()
	w, err := r.Watch(opts...)
	if err != nil {
		e.t.Fatalf("Watch: %v", err)
	}
	return e.record(w)
}

// record starts recording w; the test's cleanup stops it.
func (e *env) record(w engine.Watcher) *recorder {
	rec := &recorder{e: e, w: w, notify: make(chan struct{}, 1), done: make(chan struct{})}
	go rec.pump()
	e.t.Cleanup(rec.stop)
	return rec
}

func (rec *recorder) pump() {
	defer close(rec.done)
	for {
		r, err := rec.w.Next()
		rec.mu.Lock()
		if err != nil {
			rec.err = err
		} else {
			rec.buf = append(rec.buf, r)
		}
		rec.mu.Unlock()
		select {
		case rec.notify <- struct{}{}:
		default:
		}
		if err != nil {
			return
		}
	}
}

// stop stops the watcher and waits for the pump to end.
func (rec *recorder) stop() {
	rec.w.Stop()
	<-rec.done
}

// drain takes every event recorded so far, and the error that ended the
// watcher if it has ended.
func (rec *recorder) drain() ([]*engine.Result, error) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := rec.buf
	rec.buf = nil
	return out, rec.err
}

// pop waits until deadline for the next event.
func (rec *recorder) pop(deadline <-chan time.Time) (*engine.Result, bool) {
	rec.e.t.Helper()
	for {
		rec.mu.Lock()
		if len(rec.buf) > 0 {
			r := rec.buf[0]
			rec.buf = rec.buf[1:]
			rec.mu.Unlock()
			if r == nil || r.Service == nil {
				rec.e.t.Fatalf("watcher returned an empty result %+v", r)
			}
			return r, true
		}
		err := rec.err
		rec.mu.Unlock()
		if err != nil {
			rec.e.t.Fatalf("watcher ended: %v", err)
		}
		select {
		case <-rec.notify:
		case <-deadline:
			return nil, false
		}
	}
}

// next returns the next event, failing the test if none comes in time.
func (rec *recorder) next() *engine.Result {
	rec.e.t.Helper()
	r, ok := rec.pop(time.After(rec.e.world.Wait))
	if !ok {
		rec.e.t.Fatalf("no event within %v", rec.e.world.Wait)
	}
	return r
}

// waitFor reads events until one matches, failing if none does in time.
func (rec *recorder) waitFor(what string, match func(*engine.Result) bool) *engine.Result {
	rec.e.t.Helper()
	deadline := time.After(rec.e.world.Wait)
	var seen []string
	for {
		r, ok := rec.pop(deadline)
		if !ok {
			rec.e.t.Fatalf("waiting for %s: not seen within %v (saw %v)", what, rec.e.world.Wait, seen)
		}
		if match(r) {
			return r
		}
		seen = append(seen, r.Action+" "+r.Service.Name+"@"+r.Service.Version+nodeIDs(r.Service.Nodes))
	}
}

// action matches events of one action for one service name.
func action(act, name string) func(*engine.Result) bool {
	return func(r *engine.Result) bool { return r.Action == act && r.Service.Name == name }
}

// withNode matches events for name whose nodes include one with id and,
// if addr is not empty, that address.
func withNode(act, name, id, addr string) func(*engine.Result) bool {
	return func(r *engine.Result) bool {
		if r.Action != act || r.Service.Name != name {
			return false
		}
		for _, n := range r.Service.Nodes {
			if n.Id == id && (addr == "" || n.Address == addr) {
				return true
			}
		}
		return false
	}
}
