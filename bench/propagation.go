package bench

import (
	"slices"
	"testing"
	"time"

	"github.com/microreg/microreg/registry"
)

// Percentile is the p-th quantile (0 to 1) of d, 0 for none.
func Percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// ReportLatency reports the p50 and p99 of times in milliseconds.
func ReportLatency(b *testing.B, times []time.Duration) {
	b.ReportMetric(float64(Percentile(times, 0.5).Nanoseconds())/1e6, "p50-ms")
	b.ReportMetric(float64(Percentile(times, 0.99).Nanoseconds())/1e6, "p99-ms")
}

// NodeGone reports whether a watch event says node id has left: a delete
// that names it, or an update that leaves it out (how the consul plugin
// reports a node leaving).
func NodeGone(ev *registry.Result, id string) bool {
	if ev.Service == nil {
		return false
	}
	for _, n := range ev.Service.Nodes {
		if n.Id == id {
			return ev.Action == registry.ActionDelete
		}
	}
	return ev.Action != registry.ActionDelete
}

// nodeBack reports whether a watch event shows node id present.
func nodeBack(ev *registry.Result, id string) bool {
	return ev.Service != nil && ev.Action != registry.ActionDelete &&
		slices.ContainsFunc(ev.Service.Nodes, func(n *registry.Node) bool { return n.Id == id })
}

// Propagation is watch propagation: stay and gone (one node each, of the
// same service) are registered through writer, and a watcher of the
// service runs on reader. Each op deregisters gone through writer and is
// timed until the watcher reports the node gone; gone is then registered
// again, untimed, until the watcher reports it back. A change the watcher
// does not report within limit counts as lost (and as limit in the
// percentiles), so a rival that never delivers ends in bounded time.
// It reports p50-ms, p99-ms and lost (the fraction of changes never seen).
func Propagation(b *testing.B, writer, reader registry.Registry, stay, gone *registry.Service, limit time.Duration, opts ...registry.RegisterOption) {
	b.Helper()
	w, err := reader.Watch(registry.WatchService(gone.Name))
	if err != nil {
		b.Fatal(err)
	}
	events := make(chan *registry.Result, 1024)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			ev, err := w.Next()
			if err != nil {
				return
			}
			select {
			case events <- ev:
			default: // the op that wanted it timed out; never block the watcher
			}
		}
	}()
	defer func() { w.Stop(); <-done }()
	for _, s := range []*registry.Service{stay, gone} {
		if err := writer.Register(s, opts...); err != nil {
			b.Fatal(err)
		}
	}
	id := gone.Nodes[0].Id
	// waitFor reports whether an event matching match arrived within limit.
	waitFor := func(match func(*registry.Result, string) bool) bool {
		timeout := time.NewTimer(limit)
		defer timeout.Stop()
		for {
			select {
			case ev := <-events:
				if match(ev, id) {
					return true
				}
			case <-timeout.C:
				return false
			}
		}
	}
	if !waitFor(nodeBack) {
		b.Logf("the watcher never reported the node registered within %v", limit)
	}
	var times []time.Duration
	lost := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := writer.Deregister(gone); err != nil {
			b.Fatal(err)
		}
		if !waitFor(NodeGone) {
			lost++
		}
		times = append(times, time.Since(start))
		b.StopTimer()
		if err := writer.Register(gone, opts...); err != nil {
			b.Fatal(err)
		}
		waitFor(nodeBack)
		b.StartTimer()
	}
	b.StopTimer()
	ReportLatency(b, times)
	b.ReportMetric(float64(lost)/float64(b.N), "lost")
}
