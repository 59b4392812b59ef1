package bench

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mregistry "go-micro.dev/v4/registry"
	mregistry5 "go-micro.dev/v5/registry"

	"github.com/microreg/microreg/memory"
	"github.com/microreg/microreg/registry"
)

// memoryContenders are the in-process registries compared: microreg's,
// go-micro v4's and go-micro v5's (through bench.V5).
var memoryContenders = []struct {
	name string
	new  func() registry.Registry
}{
	{"microreg", func() registry.Registry { return memory.NewRegistry() }},
	{"gomicro", func() registry.Registry { return mregistry.NewMemoryRegistry() }},
	{"gomicro5", func() registry.Registry { return V5(mregistry5.NewMemoryRegistry()) }},
}

func filled(b *testing.B, mk func() registry.Registry) registry.Registry {
	r := mk()
	b.Cleanup(func() { registry.Close(r) })
	if err := Fill(r); err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkGetService: lookups of random services of the filled
// registry on every core. impl=floor is the copy floor (see Floor): the
// same lookups answered from a plain map with a deep copy.
func BenchmarkGetService(b *testing.B) {
	contenders := append(memoryContenders[:len(memoryContenders):len(memoryContenders)], struct {
		name string
		new  func() registry.Registry
	}{"floor", nil})
	for _, c := range contenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			var get Getter
			if c.new != nil {
				get = filled(b, c.new)
			} else {
				f, err := CopyFloor(filled(b, memoryContenders[0].new))
				if err != nil {
					b.Fatal(err)
				}
				get = f
			}
			ParallelGetService(b, get, Services, Nodes)
		})
	}
}

func BenchmarkListServices(b *testing.B) {
	for _, c := range memoryContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			ListServices(b, filled(b, c.new), Services)
		})
	}
}

// BenchmarkRegister is the steady state of a fleet: every node
// re-registers (a heartbeat) with its unchanged service.
func BenchmarkRegister(b *testing.B) {
	for _, c := range memoryContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			r := filled(b, c.new)
			beats := make([]*registry.Service, Services*Nodes)
			for i := range beats {
				s := WorkloadService(i/Nodes, 0)
				s.Nodes = []*registry.Node{WorkloadNode(i/Nodes, i%Nodes)}
				beats[i] = s
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := r.Register(beats[i%len(beats)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRegisterDeregister adds a node to a populated service and takes
// it away again: two changes per op, as a deploy does.
func BenchmarkRegisterDeregister(b *testing.B) {
	for _, c := range memoryContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			r := filled(b, c.new)
			added := make([]*registry.Service, 256)
			for k := range added {
				added[k] = WorkloadService(k, 0)
				added[k].Nodes = []*registry.Node{WorkloadNode(k, Nodes+1)}
			}
			RegisterDeregister(b, r, added)
		})
	}
}

// BenchmarkWatchFanout measures one change delivered to 100 watchers: an
// op ends when every watcher has received its event.
func BenchmarkWatchFanout(b *testing.B) {
	const watchers = 100
	for _, c := range memoryContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			r := filled(b, c.new)
			var got atomic.Int64
			arrived := make(chan struct{}, 1)
			var wg sync.WaitGroup
			ws := make([]registry.Watcher, watchers)
			for i := range ws {
				w, err := r.Watch()
				if err != nil {
					b.Fatal(err)
				}
				ws[i] = w
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						if _, err := w.Next(); err != nil {
							return
						}
						got.Add(1)
						select {
						case arrived <- struct{}{}:
						default:
						}
					}
				}()
			}
			b.Cleanup(func() {
				for _, w := range ws {
					w.Stop()
				}
				wg.Wait()
			})
			var lost int64
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := (i / 2) % Services
				s := WorkloadService(k, 0)
				s.Nodes = []*registry.Node{WorkloadNode(k, Nodes+1)}
				var err error
				if i%2 == 0 {
					err = r.Register(s)
				} else {
					err = r.Deregister(s)
				}
				if err != nil {
					b.Fatal(err)
				}
				// go-micro drops an event a watcher does not take within
				// 10 ms: wait a bounded time and count what never came.
				want := int64(i+1)*watchers - lost
				deadline := time.After(time.Second)
			wait:
				for got.Load() < want {
					select {
					case <-arrived:
					case <-deadline:
						lost += want - got.Load()
						break wait
					}
				}
			}
			b.ReportMetric(float64(lost)/float64(b.N), "lost/op")
		})
	}
}

// BenchmarkWatchPropagation: on the filled registry, a node deregistered
// and timed until a watcher of its service reports it gone (see
// Propagation).
func BenchmarkWatchPropagation(b *testing.B) {
	for _, c := range memoryContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			r := filled(b, c.new)
			gone := WorkloadService(7, 0)
			gone.Nodes = []*registry.Node{WorkloadNode(7, Nodes+1)}
			stay := WorkloadService(7, 0)
			stay.Nodes = []*registry.Node{WorkloadNode(7, 0)}
			Propagation(b, r, r, stay, gone, time.Second)
		})
	}
}
