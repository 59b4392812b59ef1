// Package mdnsbench compares microreg's mdns backend with go-micro's
// built-in mDNS registry. Everything runs inside a private network
// namespace whose only interface is lo: no packet reaches a real network.
package mdnsbench

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"go-micro.dev/v4/logger"
	mregistry "go-micro.dev/v4/registry"

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

// contenders: microreg pinned to lo; go-micro's mdns cannot be pinned,
// and uses every interface it finds, which here is lo alone.
var contenders = []struct {
	name string
	new  func() registry.Registry
}{
	{"microreg", func() registry.Registry { return mdns.NewRegistry(mdns.Interface("lo")) }},
	{"gomicro", func() registry.Registry { return mregistry.NewRegistry() }},
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

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// BenchmarkMDNSGetService: GetService, on another registry, of a service
// already looked up once.
func BenchmarkMDNSGetService(b *testing.B) {
	for _, c := range contenders {
		b.Run(c.name, func(b *testing.B) {
			a, r := c.new(), c.new()
			b.Cleanup(func() { registry.Close(a); registry.Close(r) })
			known := unique("known")
			if err := a.Register(svc(known)); err != nil {
				b.Fatal(err)
			}
			if _, ok := within(5*time.Second, func() bool { return found(r, known) }); !ok {
				b.Fatal("never found")
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if !found(r, known) {
					b.Fatal("lost")
				}
			}
		})
	}
}

// BenchmarkMDNSDiscover: a new service registered on one registry, timed
// until another one's GetService finds it.
func BenchmarkMDNSDiscover(b *testing.B) {
	for _, c := range contenders {
		b.Run(c.name, func(b *testing.B) {
			a, r := c.new(), c.new()
			b.Cleanup(func() { registry.Close(a); registry.Close(r) })
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
			b.ReportMetric(float64(percentile(times, 0.5).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(percentile(times, 0.99).Microseconds())/1000, "p99-ms")
		})
	}
}

// BenchmarkMDNSGoodbye: a service deregistered on one registry, timed
// until another one's GetService stops finding it (10 s at most).
func BenchmarkMDNSGoodbye(b *testing.B) {
	for _, c := range contenders {
		b.Run(c.name, func(b *testing.B) {
			a, r := c.new(), c.new()
			b.Cleanup(func() { registry.Close(a); registry.Close(r) })
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
					b.Logf("%s: still found after %v", c.name, d)
				}
				times = append(times, time.Since(start))
			}
			b.ReportMetric(float64(percentile(times, 0.5).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(percentile(times, 0.99).Microseconds())/1000, "p99-ms")
		})
	}
}
