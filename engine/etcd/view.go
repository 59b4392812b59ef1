package etcd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/microreg/microreg/engine"
)

// entry is one key's registration as the view holds it.
type entry struct {
	svc   *engine.Service // decoded, one node (or more, written by another tool)
	rev   int64           // the key's mod revision
	lease int64           // the lease it is attached to, 0 for none
}

// view is the registry's local copy of every registration under the
// prefix: one listing, then one watch from the revision after it. When the
// watch cannot go on (a compaction past its revision, a member lost, no
// leader, an etcd restarted), the view lists again and watches from the
// new revision; the store turns each change, and each relisting, into the
// exact events between what watchers saw and what is there, so none is
// lost or repeated.
type view struct {
	r *Registry

	ready chan struct{} // closed after the first listing

	mu        sync.Mutex
	keys      map[string]entry
	byName    map[string]map[string]struct{} // service name -> its keys
	rev       int64                          // the revision the view is at
	revWake   chan struct{}                  // closed and replaced when rev moves
	lastErr   error
	relists   int    // listings after the first (doctor, tests)
	cluster   uint64 // the cluster id the last listing came from
	compacted int    // watches ended by a compaction past their revision
}

func newView(r *Registry) *view {
	return &view{r: r, ready: make(chan struct{}), keys: map[string]entry{},
		byName: map[string]map[string]struct{}{}, revWake: make(chan struct{})}
}

// run keeps the view until ctx ends.
func (v *view) run(ctx context.Context) {
	backoff := 50 * time.Millisecond
	first := true
	for ctx.Err() == nil {
		cli, err := v.r.conn.client(ctx)
		if err != nil {
			continue // ctx ended
		}
		rev, err := v.list(ctx, cli, first)
		if err != nil {
			v.fail(err)
			if !sleep(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, 2*time.Second)
			continue
		}
		first = false
		v.r.repair() // our own keys, if the listing lacks any
		err = v.watch(ctx, cli, rev)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			v.fail(err)
			v.r.logf(engine.DebugLevel, "etcd: the watch from revision %d ended (%v); listing again", rev+1, err)
		}
		if !sleep(ctx, backoff) {
			return
		}
		backoff = 50 * time.Millisecond
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (v *view) fail(err error) {
	v.mu.Lock()
	v.lastErr = err
	v.mu.Unlock()
}

// list reads every key under the prefix (a linearizable read, so a member
// cut off from its cluster does not answer with an old copy) and makes it
// the view; it returns the revision read at.
func (v *view) list(ctx context.Context, cli *clientv3.Client, first bool) (int64, error) {
	lctx, cancel := context.WithTimeout(ctx, v.r.timeout())
	defer cancel()
	resp, err := cli.Get(lctx, v.r.prefix, clientv3.WithPrefix())
	if err != nil {
		return 0, classify("list", err)
	}
	keys := make(map[string]entry, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		if e, ok := v.r.entryOf(kv); ok {
			keys[string(kv.Key)] = e
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	touched := map[string]struct{}{}
	for name := range v.byName {
		touched[name] = struct{}{}
	}
	v.keys = keys
	v.byName = map[string]map[string]struct{}{}
	for k, e := range keys {
		v.index(k, e)
		touched[e.svc.Name] = struct{}{}
	}
	v.publish(touched)
	v.lastErr = nil
	v.cluster = resp.Header.ClusterId
	if !first {
		v.relists++
	}
	// A listing sets the view's revision, even back: etcd restored from
	// an older snapshot counts its revisions again from there.
	v.rev = resp.Header.Revision - 1
	v.setRev(resp.Header.Revision)
	select {
	case <-v.ready:
	default:
		close(v.ready)
	}
	return resp.Header.Revision, nil
}

// watch applies every change after rev until the watch ends.
func (v *view) watch(ctx context.Context, cli *clientv3.Client, rev int64) error {
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	ch := cli.Watch(wctx, v.r.prefix, clientv3.WithPrefix(), clientv3.WithRev(rev+1), clientv3.WithProgressNotify())
	// clientv3 resumes a watch by itself when its connection comes back,
	// from the revision after the last it delivered. An etcd restored from
	// an older snapshot has fewer revisions: the resumed watch would wait
	// for ever for revisions it has already given (and etcd answers no
	// progress request for it). So the view reads, now and then, where
	// etcd is: one count-only read of the prefix.
	check := time.NewTicker(checkEvery)
	defer check.Stop()
	for {
		var resp clientv3.WatchResponse
		var ok bool
		select {
		case resp, ok = <-ch:
		case <-check.C:
			if err := v.behind(wctx, cli); err != nil {
				return err
			}
			continue
		}
		if !ok {
			return errors.New("watch closed")
		}
		if resp.CompactRevision != 0 {
			v.mu.Lock()
			v.compacted++
			v.mu.Unlock()
			return fmt.Errorf("etcd compacted to revision %d, past the view's %d", resp.CompactRevision, rev)
		}
		if err := resp.Err(); err != nil {
			return err
		}
		if resp.Canceled {
			return errors.New("watch canceled")
		}
		v.apply(resp.Events, resp.Header.Revision)
	}
}

// checkEvery is how often a view reads where etcd is (see watch).
const checkEvery = 10 * time.Second

// behind says why the view must list again, if etcd's cluster changed or
// its revision went back (etcd restored from a snapshot).
func (v *view) behind(ctx context.Context, cli *clientv3.Client) error {
	cctx, cancel := context.WithTimeout(ctx, v.r.timeout())
	defer cancel()
	resp, err := cli.Get(cctx, v.r.prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return nil // the watch says so if etcd is gone
	}
	v.mu.Lock()
	at, cluster := v.rev, v.cluster
	v.mu.Unlock()
	switch h := resp.Header; {
	case cluster != 0 && h.ClusterId != cluster:
		return fmt.Errorf("etcd's cluster changed from %x to %x (restored from a snapshot?)", cluster, h.ClusterId)
	case h.Revision < at:
		return fmt.Errorf("etcd went back from revision %d to %d (restored from a snapshot?)", at, h.Revision)
	}
	return nil
}

// apply makes the view the events' and moves it to rev.
func (v *view) apply(events []*clientv3.Event, rev int64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	touched := map[string]struct{}{}
	var lost, put []string
	for _, ev := range events {
		k := string(ev.Kv.Key)
		if old, ok := v.keys[k]; ok {
			touched[old.svc.Name] = struct{}{}
			v.unindex(k, old)
		}
		if ev.Type == mvccpb.DELETE {
			lost = append(lost, k)
			continue
		}
		if e, ok := v.r.entryOf(ev.Kv); ok {
			v.index(k, e)
			touched[e.svc.Name] = struct{}{}
		}
		if ev.Kv.Lease != 0 {
			put = append(put, k)
		}
	}
	v.publish(touched)
	if rev > 0 {
		v.setRev(rev)
	}
	v.r.changedKeys(lost, put, v.keys)
}

func (v *view) index(k string, e entry) {
	v.keys[k] = e
	set := v.byName[e.svc.Name]
	if set == nil {
		set = map[string]struct{}{}
		v.byName[e.svc.Name] = set
	}
	set[k] = struct{}{}
}

func (v *view) unindex(k string, e entry) {
	delete(v.keys, k)
	if set := v.byName[e.svc.Name]; set != nil {
		delete(set, k)
		if len(set) == 0 {
			delete(v.byName, e.svc.Name)
		}
	}
}

// publish sets each touched service in the store from the view's keys;
// v.mu is held, so the store sees changes in the order they happened.
func (v *view) publish(touched map[string]struct{}) {
	for name := range touched {
		if err := v.r.store.Replace(name, v.services(name)); err != nil && !errors.Is(err, engine.ErrClosed) {
			v.r.logf(engine.WarnLevel, "etcd: service %s not updated: %v", name, err)
		}
	}
}

// services are name's versions from its keys: the nodes of every key, and
// each version's metadata and endpoints from its most recently written key.
func (v *view) services(name string) []*engine.Service {
	keys := v.byName[name]
	if len(keys) == 0 {
		return nil
	}
	type version struct {
		svc *engine.Service
		rev int64
	}
	byVersion := map[string]*version{}
	for k := range keys {
		e := v.keys[k]
		ver := byVersion[e.svc.Version]
		if ver == nil {
			ver = &version{svc: &engine.Service{Name: name, Version: e.svc.Version}}
			byVersion[e.svc.Version] = ver
		}
		if e.rev >= ver.rev {
			ver.rev = e.rev
			ver.svc.Metadata, ver.svc.Endpoints = e.svc.Metadata, e.svc.Endpoints
		}
		ver.svc.Nodes = append(ver.svc.Nodes, e.svc.Nodes...)
	}
	out := make([]*engine.Service, 0, len(byVersion))
	for _, ver := range byVersion {
		out = append(out, engine.CopyService(ver.svc))
	}
	slices.SortFunc(out, func(a, b *engine.Service) int { return cmp.Compare(a.Version, b.Version) })
	return out
}

// setRev moves the view to rev and wakes waitRev; v.mu is held.
func (v *view) setRev(rev int64) {
	if rev <= v.rev {
		return
	}
	v.rev = rev
	close(v.revWake)
	v.revWake = make(chan struct{})
}

// waitRev waits until the view is at rev or later, or ctx ends: a
// Register or Deregister returns once a lookup through this registry sees
// what it did.
func (v *view) waitRev(ctx context.Context, rev int64) {
	for {
		v.mu.Lock()
		at, wake := v.rev, v.revWake
		v.mu.Unlock()
		if at >= rev {
			return
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return
		}
	}
}

// onLease are the keys the view holds written under lease.
func (v *view) onLease(lease int64) []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []string
	for k, e := range v.keys {
		if e.lease == lease {
			out = append(out, k)
		}
	}
	return out
}

// has says whether the view holds key, written under lease.
func (v *view) has(key string, lease int64) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	e, ok := v.keys[key]
	return ok && e.lease == lease
}

// holder is who key holds (name and node ids), if it holds anything.
func (v *view) holder(key string) (*engine.Service, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	e, ok := v.keys[key]
	return e.svc, ok
}
