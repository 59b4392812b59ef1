package bench

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/microreg/microreg/registry"
)

// RegisterDeregister times b.N pairs of calls on r: services[i%len]
// registered with opts, then deregistered, as a deploy adds a node and
// takes it away. The services are built before the clock starts.
func RegisterDeregister(b *testing.B, r registry.Registry, services []*registry.Service, opts ...registry.RegisterOption) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := services[i%len(services)]
		if err := r.Register(s, opts...); err != nil {
			b.Fatal(err)
		}
		if err := r.Deregister(s); err != nil {
			b.Fatal(err)
		}
	}
}

// GetService times b.N lookups on r, names[i%len] in turn, each of which
// must return a version with the given number of nodes.
func GetService(b *testing.B, r Getter, names []string, nodes int) {
	b.Helper()
	b.ReportAllocs()
	runtime.GC() // the setup's garbage is not the lookups' cost
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := r.GetService(names[i%len(names)])
		if err != nil || len(s) == 0 || len(s[0].Nodes) != nodes {
			b.Fatalf("GetService(%s): %d versions, %v; want %d nodes", names[i%len(names)], len(s), err, nodes)
		}
	}
}

// ParallelGetService times b.N lookups of random workload services
// (ServiceName(0) to ServiceName(services-1)) on r from every core
// (b.RunParallel), each of which must return the given number of nodes.
func ParallelGetService(b *testing.B, r Getter, services, nodes int) {
	b.Helper()
	b.ReportAllocs()
	runtime.GC() // the setup's garbage is not the lookups' cost
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(rand.Uint64(), 1))
		for pb.Next() {
			name := ServiceName(rng.IntN(services))
			s, err := r.GetService(name)
			if err != nil || len(s) == 0 || len(s[0].Nodes) != nodes {
				b.Fatalf("GetService(%s): %d versions, %v; want %d nodes", name, len(s), err, nodes)
			}
		}
	})
}

// ListServices times b.N listings on r, each of which must hold at least
// n services.
func ListServices(b *testing.B, r registry.Registry, n int) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if l, err := r.ListServices(); err != nil || len(l) < n {
			b.Fatalf("ListServices: %d, %v; want %d", len(l), err, n)
		}
	}
}

// WatchedService starts a watcher of name on r (so that a registry with a
// watched view answers from it) and waits, up to limit, until r's
// GetService shows n nodes; the watcher stops when b ends.
func WatchedService(b *testing.B, r registry.Registry, name string, n int, limit time.Duration) {
	b.Helper()
	w, err := r.Watch(registry.WatchService(name))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Stop)
	deadline := time.Now().Add(limit)
	for {
		got, err := r.GetService(name)
		if err == nil && len(got) == 1 && len(got[0].Nodes) == n {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s never showed %d nodes of %s: %v, %v", r, n, name, got, err)
		}
		time.Sleep(10 * time.Millisecond) // polling interval of a bounded wait
	}
}
