package bench

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"

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
				b.Run(fmt.Sprintf("%s/nodes=%d/%s", op, n, Impl(c.name)), func(b *testing.B) {
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

// BenchmarkScaleConsul: GetService of a watched service as its instances
// in the catalog grow from 10 to 10,000: microreg answers from its
// blocking-query view, the plugin asks the agent every time. The first
// instance is registered through microreg on the dev agent; the others
// are copies of it (same metadata, own ID and port) registered in the
// catalog on 100 instances per external node, the way a fleet's client
// agents would put them there: one dev agent on two cores cannot run
// 10,000 TTL checks of its own (it stops answering registrations in time
// at about 1,500).
func BenchmarkScaleConsul(b *testing.B) {
	agent := consultest.StartDev(b)
	owner := consul.NewRegistry(registry.Addrs(agent.HTTPAddr), consul.CheckTTL(10*time.Minute))
	b.Cleanup(func() { registry.Close(owner) })
	first := consulService(0, 1)
	first.Name = "scale"
	first.Nodes[0].Id = "scale-0"
	if err := owner.Register(first); err != nil {
		b.Fatal(err)
	}
	cl, err := api.NewClient(&api.Config{Address: agent.HTTPAddr})
	if err != nil {
		b.Fatal(err)
	}
	entries, _, err := cl.Catalog().Service("scale", "", nil)
	if err != nil || len(entries) != 1 {
		b.Fatalf("the first instance in the catalog: %d, %v", len(entries), err)
	}
	model := entries[0]
	registered := 1
	for _, n := range scaleNodes {
		if err := catalogCopies(cl, model, registered, n); err != nil {
			b.Fatal(err)
		}
		registered = n
		for _, c := range consulContenders {
			b.Run(fmt.Sprintf("GetService/nodes=%d/%s", n, Impl(c.name)), func(b *testing.B) {
				r := c.new(agent.HTTPAddr)
				b.Cleanup(func() { registry.Close(r) })
				WatchedService(b, r, "scale", n, 60*time.Second)
				GetService(b, r, []string{"scale"}, n)
			})
		}
	}
}

// catalogCopies registers instances from to n-1 of model's service in the
// catalog, 100 to an external node, on 4 connections.
func catalogCopies(cl *api.Client, model *api.CatalogService, from, n int) error {
	jobs := make(chan int)
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		go func() {
			var first error
			for j := range jobs {
				if first != nil {
					continue
				}
				_, first = cl.Catalog().Register(&api.CatalogRegistration{
					Node:    fmt.Sprintf("scale-host-%03d", j/100),
					Address: "127.0.0.1",
					Service: &api.AgentService{
						ID: fmt.Sprintf("scale-%d", j), Service: model.ServiceName,
						Address: model.ServiceAddress, Port: 30000 + j%30000,
						Meta: model.ServiceMeta, Tags: model.ServiceTags,
					},
				}, nil)
			}
			errs <- first
		}()
	}
	for j := from; j < n; j++ {
		jobs <- j
	}
	close(jobs)
	var err error
	for w := 0; w < 4; w++ {
		err = errors.Join(err, <-errs)
	}
	return err
}

// BenchmarkScaleGossip: convergence (one Register until every member sees
// it) and steady bytes per member as the cluster grows from 5 to 50
// members, microreg only (the plugin's reach is in the main table: it
// does not converge at 10).
func BenchmarkScaleGossip(b *testing.B) {
	c := gossipContenders[0]
	for _, n := range []int{5, 10, 20, 30, 50} {
		b.Run(fmt.Sprintf("Convergence/members=%d/%s", n, Impl(c.name)), func(b *testing.B) {
			converge(b, c.cluster(b, n))
		})
	}
}
