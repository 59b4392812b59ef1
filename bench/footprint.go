package bench

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/microreg/microreg/registry"
)

// footprintNodes and footprintWatchers size Footprint.
const (
	footprintNodes    = 200
	footprintWatchers = 100
)

// liveHeap is the live heap once it has settled, and the goroutine count.
// A backend may still be at work on what was just done (a gossip state
// push, a queued announcement) and hold memory it is about to let go, so
// the heap is read after two collections, every 10 ms, until two readings
// in a row are within 4 KiB of each other (2 s at most).
func liveHeap() (uint64, int) {
	read := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	const settled = 4 << 10
	h := read()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond) // polling interval
		next := read()
		if max(next, h)-min(next, h) < settled {
			return next, runtime.NumGoroutine()
		}
		h = next
	}
	return h, runtime.NumGoroutine()
}

// Footprint registers footprintNodes single-node services in r (one node
// a call: the consul plugin registers only Nodes[0]) and then starts
// footprintWatchers watchers, and reports what each costs the process:
// heap bytes and goroutines per registered node and per watcher.
func Footprint(b *testing.B, r registry.Registry) {
	b.Helper()
	for i := 0; i < b.N; i++ {
		heap0, g0 := liveHeap()
		for j := 0; j < footprintNodes; j++ {
			s := WorkloadService(j/Nodes, 0)
			s.Nodes = []*registry.Node{WorkloadNode(j/Nodes, j%Nodes)}
			s.Nodes[0].Address = fmt.Sprintf("127.0.0.1:%d", 20000+j)
			if err := r.Register(s, registry.RegisterTTL(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
		heap1, g1 := liveHeap()
		var ws []registry.Watcher
		for j := 0; j < footprintWatchers; j++ {
			w, err := r.Watch(registry.WatchService(ServiceName(j % (footprintNodes / Nodes))))
			if err != nil {
				b.Fatal(err)
			}
			ws = append(ws, w)
		}
		heap2, g2 := liveHeap()
		for _, w := range ws {
			w.Stop()
		}
		b.ReportMetric(float64(int64(heap1)-int64(heap0))/footprintNodes, "B/node")
		b.ReportMetric(float64(g1-g0)/footprintNodes, "goroutines/node")
		b.ReportMetric(float64(int64(heap2)-int64(heap1))/footprintWatchers, "B/watcher")
		b.ReportMetric(float64(g2-g1)/footprintWatchers, "goroutines/watcher")
		if i+1 < b.N {
			b.Fatal("run BenchmarkFootprint with -benchtime 1x: it measures one filling")
		}
	}
}
