package bench

import (
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	plugin "github.com/go-micro/plugins/v4/registry/gossip"
	"github.com/hashicorp/memberlist"

	"github.com/microreg/microreg/gossip"
	"github.com/microreg/microreg/registry"
)

// gossipNode is one member of a benchmark cluster.
type gossipNode struct {
	r registry.Registry
	t *CountingTransport
}

// clusters counts the clusters built, to name members apart.
var clusters atomic.Int64

// gossipContender builds a cluster of n members of one registry, every
// member joined through the first, with memberlist's local preset.
type gossipContender struct {
	name string
	// start starts a member joining seed ("" for the first).
	start func(cfg *memberlist.Config, seed string) (registry.Registry, error)
	// preset is the contender's memberlist preset, on the shared transport.
	preset func() *memberlist.Config
}

var gossipContenders = []gossipContender{
	{
		name:   "microreg",
		preset: gossip.LocalConfig,
		start: func(cfg *memberlist.Config, seed string) (registry.Registry, error) {
			opts := []registry.Option{gossip.Config(cfg)}
			if seed != "" {
				opts = append(opts, registry.Addrs(seed))
			}
			return gossip.New(opts...)
		},
	},
	{
		name: "plugin",
		preset: func() *memberlist.Config {
			// The plugin's own defaults: DefaultLocalConfig without push/pull.
			c := memberlist.DefaultLocalConfig()
			c.PushPullInterval = 0
			c.ProtocolVersion = 4
			return c
		},
		start: func(cfg *memberlist.Config, seed string) (registry.Registry, error) {
			opts := []registry.Option{plugin.Config(cfg)}
			if seed != "" {
				opts = append(opts, registry.Addrs(seed))
			}
			r := plugin.NewRegistry(opts...)
			return r, nil
		},
	},
}

func (c gossipContender) cluster(tb testing.TB, n int) []gossipNode {
	tb.Helper()
	clusters.Add(1)
	var nodes []gossipNode
	var seed string
	for i := 0; i < n; i++ {
		t, err := NewCountingTransport()
		if err != nil {
			tb.Fatal(err)
		}
		cfg := LocalConfig(c.preset(), t)
		cfg.Name = fmt.Sprintf("%s-%d-%02d", c.name, clusters.Load(), i)
		cfg.Logger = log.New(io.Discard, "", 0)
		cfg.LogOutput = nil
		r, err := c.start(cfg, seed)
		if err != nil {
			tb.Fatal(err)
		}
		if i == 0 {
			seed = net.JoinHostPort("127.0.0.1", strconv.Itoa(t.GetAutoBindPort()))
		}
		nodes = append(nodes, gossipNode{r, t})
	}
	tb.Cleanup(func() {
		var wg sync.WaitGroup
		for _, nd := range nodes {
			wg.Add(1)
			go func() { defer wg.Done(); registry.Close(nd.r) }()
		}
		wg.Wait()
	})
	// Let the membership settle: every node has joined through the seed.
	time.Sleep(2 * time.Second) // membership settling before measuring; the plugin exposes no member count to wait on
	return nodes
}

// reach waits until every node sees name, or the deadline, and returns
// how long it took and how many nodes saw it.
func reach(nodes []gossipNode, name string, deadline time.Duration, gone bool) (time.Duration, int) {
	start := time.Now()
	for {
		seen := 0
		for _, nd := range nodes {
			s, err := nd.r.GetService(name)
			present := err == nil && len(s) > 0 && len(s[0].Nodes) > 0
			if present != gone {
				seen++
			}
		}
		if seen == len(nodes) || time.Since(start) > deadline {
			return time.Since(start), seen
		}
		time.Sleep(2 * time.Millisecond) // polling interval of the measurement
	}
}

// converge times b.N Registers, each on a random member, until every
// member's GetService sees it (8 s at most; reach counts the members that
// did), and reports the p50, p99 and reach.
func converge(b *testing.B, nodes []gossipNode) {
	var times []time.Duration
	reached := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src := nodes[rand.IntN(len(nodes))]
		if err := src.r.Register(WorkloadService(i, 1), registry.RegisterTTL(time.Minute)); err != nil {
			b.Fatal(err)
		}
		d, seen := reach(nodes, ServiceName(i), 8*time.Second, false)
		times = append(times, d)
		reached += seen
	}
	b.StopTimer()
	b.ReportMetric(float64(Percentile(times, 0.5).Milliseconds()), "p50-ms")
	b.ReportMetric(float64(Percentile(times, 0.99).Milliseconds()), "p99-ms")
	b.ReportMetric(float64(reached)/float64(b.N*len(nodes)), "reach")
}

// BenchmarkGossipConvergence: one Register on a random member, timed
// until every member's GetService sees it (8 s at most; reach counts the
// members that did). Run with -benchtime=20x for 20 trials.
func BenchmarkGossipConvergence(b *testing.B) {
	for _, n := range []int{10, 30} {
		for _, c := range gossipContenders {
			b.Run(fmt.Sprintf("N=%d/%s", n, Impl(c.name)), func(b *testing.B) {
				converge(b, c.cluster(b, n))
			})
		}
	}
}

// BenchmarkGossipLargeService: a service with 10 endpoints (about 2.8 KB,
// more than a packet) registered on one member of 10.
func BenchmarkGossipLargeService(b *testing.B) {
	for _, c := range gossipContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			nodes := c.cluster(b, 10)
			var times []time.Duration
			reached := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s := WorkloadService(i, 1)
				for j := 0; j < 10; j++ {
					s.Endpoints = append(s.Endpoints, &registry.Endpoint{Name: fmt.Sprintf("Handler.Method%02d", j),
						Request:  &registry.Value{Name: "Request", Type: "Request", Values: []*registry.Value{{Name: "field", Type: "string"}}},
						Response: &registry.Value{Name: "Response", Type: "Response", Values: []*registry.Value{{Name: "field", Type: "string"}}},
						Metadata: map[string]string{"stream": "false", "handler": fmt.Sprintf("handler-%02d", j)}})
				}
				if err := nodes[1+i%(len(nodes)-1)].r.Register(s, registry.RegisterTTL(time.Minute)); err != nil {
					b.Fatal(err)
				}
				d, seen := reach(nodes, s.Name, 8*time.Second, false)
				times = append(times, d)
				reached += seen
			}
			b.StopTimer()
			b.ReportMetric(float64(Percentile(times, 0.5).Milliseconds()), "p50-ms")
			b.ReportMetric(float64(reached)/float64(b.N*len(nodes)), "reach")
		})
	}
}

// BenchmarkGossipFailure: a member that registered a service goes silent
// (its sockets close, no goodbye); timed until the service is gone from
// every other member (15 s at most; gone counts those that dropped it).
func BenchmarkGossipFailure(b *testing.B) {
	for _, c := range gossipContenders {
		b.Run("N=30/"+Impl(c.name), func(b *testing.B) {
			nodes := c.cluster(b, 30)
			var times []time.Duration
			gone, watched := 0, 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				victim := nodes[len(nodes)-1]
				nodes = nodes[:len(nodes)-1]
				s := WorkloadService(i, 1)
				if err := victim.r.Register(s, registry.RegisterTTL(time.Minute)); err != nil {
					b.Fatal(err)
				}
				if _, seen := reach(nodes, s.Name, 8*time.Second, false); seen < len(nodes) {
					// The plugin may never spread it; time the death anyway.
					b.Logf("%s: the service reached %d of %d before the crash", c.name, seen, len(nodes))
				}
				victim.t.Kill()
				d, dropped := reach(nodes, s.Name, 15*time.Second, true)
				times = append(times, d)
				gone, watched = gone+dropped, watched+len(nodes)
				if len(nodes) < 3 {
					break
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(Percentile(times, 0.5).Milliseconds()), "p50-ms")
			b.ReportMetric(float64(Percentile(times, 0.99).Milliseconds()), "p99-ms")
			b.ReportMetric(float64(gone)/float64(watched), "gone")
		})
	}
}

// BenchmarkGossipSteadyBytes: bytes each member sends per second over a
// 3 s window, in a 10-member cluster holding 100 services and in one
// holding none (memberlist's own probing and gossip: the baseline).
func BenchmarkGossipSteadyBytes(b *testing.B) {
	for _, services := range []int{0, 100} {
		for _, c := range gossipContenders {
			b.Run(fmt.Sprintf("services=%d/%s", services, Impl(c.name)), func(b *testing.B) {
				nodes := c.cluster(b, 10)
				for i := 0; i < services; i++ {
					if err := nodes[i%len(nodes)].r.Register(WorkloadService(i, 1), registry.RegisterTTL(time.Hour)); err != nil {
						b.Fatal(err)
					}
				}
				reach(nodes, ServiceName(services-1), 8*time.Second, false)
				b.ResetTimer()
				var perSec float64
				for i := 0; i < b.N; i++ {
					before := int64(0)
					for _, nd := range nodes {
						before += nd.t.Sent.Load()
					}
					const window = 3 * time.Second
					time.Sleep(window) // the measurement window itself
					after := int64(0)
					for _, nd := range nodes {
						after += nd.t.Sent.Load()
					}
					perSec = float64(after-before) / window.Seconds() / float64(len(nodes))
				}
				b.ReportMetric(perSec, "B/s/node")
			})
		}
	}
}

// gossipServices is how many services the gossip read benchmarks hold.
const gossipServices = 100

// gossipReader is a 3-member cluster whose second member (not the seed)
// holds gossipServices single-node services of its own, and has them all
// in its view: the reads below are local, as every gossip read is.
func (c gossipContender) gossipReader(b *testing.B) registry.Registry {
	nodes := c.cluster(b, 3)
	r := nodes[1].r
	for i := 0; i < gossipServices; i++ {
		if err := r.Register(WorkloadService(i, 1), registry.RegisterTTL(time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	if _, seen := reach(nodes[1:2], ServiceName(gossipServices-1), 8*time.Second, false); seen != 1 {
		b.Fatalf("%s: a member does not see its own service", c.name)
	}
	return r
}

// BenchmarkGossipGetService: GetService on a member holding 100 services.
// impl=floor is the copy floor (see Floor) of microreg's member: the same
// lookups answered from a plain map with a deep copy.
func BenchmarkGossipGetService(b *testing.B) {
	names := make([]string, gossipServices)
	for i := range names {
		names[i] = ServiceName(i)
	}
	for _, c := range gossipContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			GetService(b, c.gossipReader(b), names, 1)
		})
	}
	b.Run(Impl("floor"), func(b *testing.B) {
		f, err := CopyFloor(gossipContenders[0].gossipReader(b))
		if err != nil {
			b.Fatal(err)
		}
		GetService(b, f, names, 1)
	})
}

// BenchmarkGossipListServices: ListServices on a member holding 100
// services.
func BenchmarkGossipListServices(b *testing.B) {
	for _, c := range gossipContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			ListServices(b, c.gossipReader(b), gossipServices)
		})
	}
}

// BenchmarkGossipRegisterDeregister: a service registered on a member of
// three and deregistered again: the calls, not their spreading (that is
// Convergence and Propagation).
func BenchmarkGossipRegisterDeregister(b *testing.B) {
	for _, c := range gossipContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			r := c.cluster(b, 3)[1].r
			RegisterDeregister(b, r, []*registry.Service{WorkloadService(0, 1)}, registry.RegisterTTL(time.Minute))
		})
	}
}

// BenchmarkGossipPropagation: a node deregistered on one member of three,
// timed until a watcher on another member reports it gone (see
// Propagation; 5 s at most, then it counts as lost).
func BenchmarkGossipPropagation(b *testing.B) {
	for _, c := range gossipContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			nodes := c.cluster(b, 3)
			gone := WorkloadService(0, 1)
			stay := WorkloadService(0, 2)
			stay.Nodes = stay.Nodes[1:]
			Propagation(b, nodes[1].r, nodes[2].r, stay, gone, 5*time.Second, registry.RegisterTTL(time.Minute))
		})
	}
}
