package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/registry"
)

// scaleNodes are the registered-node counts of the scale curves.
var scaleNodes = []int{10, 100, 1000, 10000}

// fillNodes registers n nodes, as n/10 services of 10 nodes (one service
// of n nodes below 10), and returns the services' count.
func fillNodes(tb testing.TB, r registry.Registry, n int) int {
	tb.Helper()
	services, per := max(1, n/Nodes), min(n, Nodes)
	for i := 0; i < services; i++ {
		if err := r.Register(WorkloadService(i, per)); err != nil {
			tb.Fatal(err)
		}
	}
	return services
}

// BenchmarkScaleMemory: GetService, ListServices and a heartbeat Register
// on 10 to 10,000 registered nodes, the memory backend and go-micro's.
func BenchmarkScaleMemory(b *testing.B) {
	for _, op := range []string{"GetService", "ListServices", "Register"} {
		for _, n := range scaleNodes {
			for _, c := range memoryContenders {
				b.Run(fmt.Sprintf("%s/nodes=%d/%s", op, n, c.name), func(b *testing.B) {
					r := c.new()
					b.Cleanup(func() { registry.Close(r) })
					services := fillNodes(b, r, n)
					per := min(n, Nodes)
					rng := rand.New(rand.NewPCG(1, 2))
					// Heartbeats, built before the clock starts: one node
					// of one service, unchanged.
					beats := make([]*registry.Service, 256)
					for i := range beats {
						k := rng.IntN(services)
						beats[i] = WorkloadService(k, 0)
						beats[i].Nodes = []*registry.Node{WorkloadNode(k, rng.IntN(per))}
					}
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						k := rng.IntN(services)
						switch op {
						case "GetService":
							if s, err := r.GetService(ServiceName(k)); err != nil || len(s[0].Nodes) != per {
								b.Fatalf("GetService: %v", err)
							}
						case "ListServices":
							if l, err := r.ListServices(); err != nil || len(l) != services {
								b.Fatalf("ListServices: %d, %v", len(l), err)
							}
						case "Register":
							if err := r.Register(beats[i%len(beats)]); err != nil {
								b.Fatal(err)
							}
						}
					}
				})
			}
		}
	}
}

// BenchmarkScaleConsul: GetService of a watched service as the agent's
// instances of it grow from 10 to 1,000: microreg answers from its
// blocking-query view, the plugin asks the agent every time. (At 10,000
// the dev agent on two shared cores stops answering registrations within
// the HTTP timeout, around the 1,500th instance with a TTL check: a limit
// of the agent here, not of either client.)
func BenchmarkScaleConsul(b *testing.B) {
	agent := consultest.StartDev(b)
	owner := consul.NewRegistry(registry.Addrs(agent.HTTPAddr), consul.CheckTTL(10*time.Minute))
	b.Cleanup(func() { registry.Close(owner) })
	registered := 0
	for _, n := range scaleNodes[:3] {
		// One service grows to n instances, registered once for both.
		s := consulService(0, 0)
		s.Name = "scale"
		for j := registered; j < n; j++ {
			node := WorkloadNode(0, j)
			node.Id = fmt.Sprintf("scale-%d", j)
			node.Address = fmt.Sprintf("127.0.0.1:%d", 30000+j%30000)
			s.Nodes = append(s.Nodes, node)
		}
		if err := owner.Register(s); err != nil {
			b.Fatal(err)
		}
		registered = n
		for _, c := range consulContenders {
			b.Run(fmt.Sprintf("GetService/nodes=%d/%s", n, c.name), func(b *testing.B) {
				r := c.new(agent.HTTPAddr)
				b.Cleanup(func() { registry.Close(r) })
				w, err := r.Watch(registry.WatchService("scale"))
				if err != nil {
					b.Fatal(err)
				}
				defer w.Stop()
				deadline := time.Now().Add(60 * time.Second)
				for {
					got, err := r.GetService("scale")
					if err == nil && len(got) > 0 && len(got[0].Nodes) == n {
						break
					}
					if time.Now().After(deadline) {
						b.Fatalf("%s never saw %d instances", c.name, n)
					}
					time.Sleep(10 * time.Millisecond) // polling interval
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if got, err := r.GetService("scale"); err != nil || len(got[0].Nodes) != n {
						b.Fatalf("GetService: %v", err)
					}
				}
			})
		}
	}
}

// BenchmarkScaleGossip: convergence (one Register until every member sees
// it) and steady bytes per member as the cluster grows from 5 to 50
// members, microreg only (the plugin's reach is in the main table: it
// does not converge at 10).
func BenchmarkScaleGossip(b *testing.B) {
	c := gossipContenders[0]
	for _, n := range []int{5, 10, 20, 30, 50} {
		b.Run(fmt.Sprintf("Convergence/members=%d/%s", n, c.name), func(b *testing.B) {
			converge(b, c.cluster(b, n))
		})
	}
}
