// Package mdnsbench compares microreg's mdns backend with go-micro's
// built-in mDNS registry. Everything runs inside a private network
// namespace whose only interface is lo: no packet reaches a real network.
package mdnsbench

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"go-micro.dev/v4/logger"
	mregistry "go-micro.dev/v4/registry"
	mregistry5 "go-micro.dev/v5/registry"

	"github.com/microreg/microreg/bench"
	"github.com/microreg/microreg/internal/netns"
	"github.com/microreg/microreg/mdns"
	"github.com/microreg/microreg/registry"
)

func TestMain(m *testing.M) {
	logger.DefaultLogger = logger.NewLogger(logger.WithLevel(logger.FatalLevel)) // its default logger prints to stdout whatever Out says
	logger.DefaultHelper = logger.NewHelper(logger.DefaultLogger)
	netns.Run(m)
}

// run makes service names unique across benchmark runs, so that a
// goodbye from an earlier run's registries cannot touch a later run.
var run int

func unique(base string) string {
	run++
	return fmt.Sprintf("%s-%d", base, run)
}

// contenders: microreg pinned to lo; go-micro's mdns (v4's, and v5's
// through bench.V5) cannot be pinned, and uses every interface it finds,
// which here is lo alone. Each is
// owned, so that closing it leaves nothing answering behind.
var contenders = []struct {
	name string
	new  func() registry.Registry
}{
	{"microreg", func() registry.Registry { return own(mdns.NewRegistry(mdns.Interface("lo"))) }},
	{"gomicro", func() registry.Registry { return own(mregistry.NewRegistry()) }},
	{"gomicro5", func() registry.Registry { return own(bench.V5(mregistry5.NewMDNSRegistry())) }},
}

func svc(name string) *registry.Service {
	return &registry.Service{Name: name, Version: "1.0.0", Metadata: map[string]string{"k": "v"},
		Nodes: []*registry.Node{{Id: name + "-1", Address: "127.0.0.1:9000", Metadata: map[string]string{"protocol": "mucp"}}}}
}

func found(r registry.Registry, name string) bool {
	s, err := r.GetService(name)
	return err == nil && len(s) > 0 && len(s[0].Nodes) > 0
}

func within(d time.Duration, cond func() bool) (time.Duration, bool) {
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			return time.Since(start), false
		}
		time.Sleep(time.Millisecond) // polling interval of the measurement
	}
	return time.Since(start), true
}

// BenchmarkMDNSGetService: GetService, on another registry, of a service
// already looked up once.
func BenchmarkMDNSGetService(b *testing.B) {
	for _, c := range contenders {
		b.Run(bench.Impl(c.name), func(b *testing.B) {
			a, r := c.new(), c.new()
			b.Cleanup(func() { registry.Close(a); registry.Close(r) })
			known := unique("known")
			if err := a.Register(svc(known)); err != nil {
				b.Fatal(err)
			}
			if _, ok := within(5*time.Second, func() bool { return found(r, known) }); !ok {
				b.Fatal("never found")
			}
			bench.GetService(b, r, []string{known}, 1)
		})
	}
}

// BenchmarkMDNSDiscover: a new service registered on one registry, timed
// until another one's GetService finds it.
func BenchmarkMDNSDiscover(b *testing.B) {
	for _, c := range contenders {
		b.Run(bench.Impl(c.name), func(b *testing.B) {
			a, r := c.new(), c.new()
			b.Cleanup(func() { registry.Close(a); registry.Close(r) })
			discover(b, a, r)
		})
	}
}

// discover registers a new service on a b.N times, timing each until r's
// GetService finds it.
func discover(b *testing.B, a, r registry.Registry) {
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		name := unique("disc")
		start := time.Now()
		if err := a.Register(svc(name)); err != nil {
			b.Fatal(err)
		}
		if _, ok := within(5*time.Second, func() bool { return found(r, name) }); !ok {
			b.Fatalf("%s never found", name)
		}
		times = append(times, time.Since(start))
	}
	bench.ReportLatency(b, times)
}

// BenchmarkMDNSGoodbye: a service deregistered on one registry, timed
// until another one's GetService stops finding it (10 s at most).
func BenchmarkMDNSGoodbye(b *testing.B) {
	for _, c := range contenders {
		b.Run(bench.Impl(c.name), func(b *testing.B) {
			a, r := c.new(), c.new()
			b.Cleanup(func() { registry.Close(a); registry.Close(r) })
			goodbye(b, a, r)
		})
	}
}

// goodbye registers a service on a, waits until r finds it, deregisters it
// and times until r's GetService stops finding it (10 s at most), b.N
// times.
func goodbye(b *testing.B, a, r registry.Registry) {
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		name := unique("bye")
		if err := a.Register(svc(name)); err != nil {
			b.Fatal(err)
		}
		if _, ok := within(5*time.Second, func() bool { return found(r, name) }); !ok {
			b.Fatalf("%s never found", name)
		}
		start := time.Now()
		if err := a.Deregister(svc(name)); err != nil {
			b.Fatal(err)
		}
		d, ok := within(10*time.Second, func() bool { return !found(r, name) })
		if !ok {
			b.Logf("%s: still found after %v", r, d)
		}
		times = append(times, time.Since(start))
	}
	bench.ReportLatency(b, times)
}

// mdnsServices is how many services BenchmarkMDNSListServices lists.
const mdnsServices = 20

// BenchmarkMDNSListServices: ListServices, on another registry, with 20
// services registered (and listed once, so a cache has heard them).
func BenchmarkMDNSListServices(b *testing.B) {
	for _, c := range contenders {
		b.Run(bench.Impl(c.name), func(b *testing.B) {
			a, r := c.new(), c.new()
			b.Cleanup(func() { registry.Close(a); registry.Close(r) })
			prefix := unique("list")
			for i := 0; i < mdnsServices; i++ {
				if err := a.Register(svc(fmt.Sprintf("%s-%02d", prefix, i))); err != nil {
					b.Fatal(err)
				}
			}
			listed := func() int {
				l, err := r.ListServices()
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for _, s := range l {
					if strings.HasPrefix(s.Name, prefix+"-") {
						n++
					}
				}
				return n
			}
			if _, ok := within(10*time.Second, func() bool { return listed() == mdnsServices }); !ok {
				b.Fatalf("never listed all %d", mdnsServices)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if n := listed(); n != mdnsServices {
					b.Fatalf("listed %d of %d", n, mdnsServices)
				}
			}
		})
	}
}

// BenchmarkMDNSRegisterDeregister: a service registered and deregistered
// again on one registry: the calls (announcement and goodbye included).
func BenchmarkMDNSRegisterDeregister(b *testing.B) {
	for _, c := range contenders {
		b.Run(bench.Impl(c.name), func(b *testing.B) {
			r := c.new()
			b.Cleanup(func() { registry.Close(r) })
			bench.RegisterDeregister(b, r, []*registry.Service{svc(unique("regdereg"))})
		})
	}
}

// BenchmarkMDNSPropagation: a node deregistered on one registry, timed
// until a watcher on another reports it gone (see bench.Propagation; 5 s
// at most, then it counts as lost).
func BenchmarkMDNSPropagation(b *testing.B) {
	for _, c := range contenders {
		b.Run(bench.Impl(c.name), func(b *testing.B) {
			a, r := c.new(), c.new()
			b.Cleanup(func() { registry.Close(a); registry.Close(r) })
			gone := svc(unique("prop"))
			stay := svc(gone.Name)
			stay.Nodes[0].Id, stay.Nodes[0].Address = gone.Name+"-2", "127.0.0.1:9001"
			bench.Propagation(b, a, r, stay, gone, 5*time.Second)
		})
	}
}

// BenchmarkFootprint: what a registered node and a watcher cost the
// process (see bench.Footprint), for the mdns registries.
func BenchmarkFootprint(b *testing.B) {
	for _, c := range contenders {
		b.Run("mdns/"+bench.Impl(c.name), func(b *testing.B) {
			o := c.new().(*owned)
			b.Cleanup(func() { o.Close() })
			// Measured without the wrapper, whose own bookkeeping would
			// count as the contender's.
			bench.Footprint(b, o.Registry)
		})
	}
}
