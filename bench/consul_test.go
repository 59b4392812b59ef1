package bench

import (
	"fmt"
	"os"
	"testing"
	"time"

	mregistry5 "go-micro.dev/v5/registry"
	consul5 "go-micro.dev/v5/registry/consul"

	plugin "github.com/go-micro/plugins/v4/registry/consul"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/internal/face4"
	registrytest5 "github.com/microreg/microreg/micro5/registry/registrytest"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

// consulContenders build a registry on the agent at addr.
var consulContenders = []struct {
	name string
	new  func(addr string) registry.Registry
}{
	{"microreg", func(addr string) registry.Registry { return consul.NewRegistry(registry.Addrs(addr)) }},
	{"plugin", func(addr string) registry.Registry { return plugin.NewRegistry(registry.Addrs(addr)) }},
	{"gomicro5", func(addr string) registry.Registry {
		return V5(consul5.NewConsulRegistry(mregistry5.Addrs(addr)))
	}},
}

func consulService(i, nodes int) *registry.Service {
	s := WorkloadService(i, nodes)
	for j, n := range s.Nodes {
		n.Address = fmt.Sprintf("127.0.0.1:%d", 20000+i*10+j)
	}
	return s
}

// BenchmarkConsulGetService: GetService of a watched 3-node service.
func BenchmarkConsulGetService(b *testing.B) {
	agent := consultest.StartDev(b)
	for k, c := range consulContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			r := c.new(agent.HTTPAddr)
			b.Cleanup(func() { registry.Close(r) })
			s := consulService(1+k, 3)
			// One node a call: the plugin registers only Nodes[0].
			for _, n := range s.Nodes {
				one := *s
				one.Nodes = []*registry.Node{n}
				if err := r.Register(&one, registry.RegisterTTL(time.Minute)); err != nil {
					b.Fatal(err)
				}
			}
			WatchedService(b, r, s.Name, 3, 10*time.Second)
			GetService(b, r, []string{s.Name}, 3)
		})
	}
}

// BenchmarkConsulRegister: a heartbeat, re-registering an unchanged
// service with its TTL.
func BenchmarkConsulRegister(b *testing.B) {
	agent := consultest.StartDev(b)
	for k, c := range consulContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			r := c.new(agent.HTTPAddr)
			b.Cleanup(func() { registry.Close(r) })
			s := consulService(100+k, 1)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := r.Register(s, registry.RegisterTTL(time.Minute)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkConsulPropagation: a node deregistered through one registry,
// timed until a watcher of the service on another registry reports it
// gone (see Propagation).
func BenchmarkConsulPropagation(b *testing.B) {
	agent := consultest.StartDev(b)
	for k, c := range consulContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			writer, reader := c.new(agent.HTTPAddr), c.new(agent.HTTPAddr)
			b.Cleanup(func() { registry.Close(writer); registry.Close(reader) })
			gone := consulService(200+k, 1)
			stay := consulService(200+k, 2)
			stay.Nodes = stay.Nodes[1:]
			Propagation(b, writer, reader, stay, gone, 10*time.Second, registry.RegisterTTL(time.Minute))
		})
	}
}

// BenchmarkConsulListServices: ListServices with 100 services on the
// agent (registered once, through microreg, for both).
func BenchmarkConsulListServices(b *testing.B) {
	const services = 100
	agent := consultest.StartDev(b)
	owner := consul.NewRegistry(registry.Addrs(agent.HTTPAddr))
	b.Cleanup(func() { registry.Close(owner) })
	for i := 0; i < services; i++ {
		if err := owner.Register(consulService(400+i, 1), registry.RegisterTTL(time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range consulContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			r := c.new(agent.HTTPAddr)
			b.Cleanup(func() { registry.Close(r) })
			ListServices(b, r, services) // and the agent's own "consul" service
		})
	}
}

// BenchmarkConsulRegisterDeregister: a node added to a service with a
// TTL, and taken away again, as a deploy does.
func BenchmarkConsulRegisterDeregister(b *testing.B) {
	agent := consultest.StartDev(b)
	for k, c := range consulContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			r := c.new(agent.HTTPAddr)
			b.Cleanup(func() { registry.Close(r) })
			RegisterDeregister(b, r, []*registry.Service{consulService(600+k, 1)}, registry.RegisterTTL(time.Minute))
		})
	}
}

// TestConsulMigration registers through go-micro's consul plugin and
// reads through microreg on the same agent: version, endpoints and node
// metadata come through, so a fleet can switch one service at a time.
func TestConsulMigration(t *testing.T) {
	agent := consultest.StartDev(t)
	old := plugin.NewRegistry(registry.Addrs(agent.HTTPAddr))
	s := consulService(300, 1)
	if err := old.Register(s, registry.RegisterTTL(time.Minute)); err != nil {
		t.Fatal(err)
	}
	r := consul.NewRegistry(registry.Addrs(agent.HTTPAddr))
	defer registry.Close(r)
	got, err := r.GetService(s.Name)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Version != s.Version || len(got[0].Nodes) != 1 {
		t.Fatalf("read back %+v", got)
	}
	n := got[0].Nodes[0]
	if n.Id != s.Nodes[0].Id || n.Address != s.Nodes[0].Address || n.Metadata["protocol"] != "mucp" {
		t.Fatalf("node read back as %+v", n)
	}
	if !engine.EqualEndpoints(face4.Service(got[0]).Endpoints, face4.Service(s).Endpoints) {
		t.Fatalf("endpoints read back as %d", len(got[0].Endpoints))
	}
	list, err := r.ListServices()
	if err != nil {
		t.Fatal(err)
	}
	var listed bool
	for _, l := range list {
		listed = listed || (l.Name == s.Name && l.Version == s.Version)
	}
	if !listed {
		t.Fatalf("ListServices does not show %s@%s", s.Name, s.Version)
	}
}

// rivalAgentEnv hands a rival report's cases the agent they share.
const rivalAgentEnv = "MICROREG_RIVAL_AGENT"

// TestRivalConformanceConsul runs the suite against the consul plugin on a
// dev agent and reports what it fails.
func TestRivalConformanceConsul(t *testing.T) {
	if IsRivalChild() {
		agent := os.Getenv(rivalAgentEnv)
		registrytest.Run(t, func(t *testing.T) *registrytest.World {
			return &registrytest.World{Wait: 4 * time.Second, TTL: 2 * time.Second, Ops: 200,
				New: func(t *testing.T) registry.Registry { return plugin.NewRegistry(registry.Addrs(agent)) }}
		})
		return
	}
	if testing.Short() {
		t.Skip("the rival report runs one process per case; run it without -short")
	}
	// One agent for every case: each case's names are its own.
	outcomes := RivalConformance(t, "TestRivalConformanceConsul", 2*time.Minute, rivalAgentEnv+"="+consultest.StartDev(t).HTTPAddr)
	if len(outcomes) != len(registrytest.Cases()) {
		t.Fatalf("report covers %d of %d cases", len(outcomes), len(registrytest.Cases()))
	}
	LogOutcomes(t, "go-micro consul plugin", outcomes)
}

// TestRivalConformanceConsulV5 runs the suite against go-micro v5's own
// consul registry on a dev agent and reports what it fails.
func TestRivalConformanceConsulV5(t *testing.T) {
	if IsRivalChild() {
		agent := os.Getenv(rivalAgentEnv)
		registrytest5.Run(t, func(t *testing.T) *registrytest5.World {
			return &registrytest5.World{Wait: 4 * time.Second, TTL: 2 * time.Second, Ops: 200,
				New: func(t *testing.T) mregistry5.Registry {
					return consul5.NewConsulRegistry(mregistry5.Addrs(agent))
				}}
		})
		return
	}
	if testing.Short() {
		t.Skip("the rival report runs one process per case; run it without -short")
	}
	// One agent for every case: each case's names are its own.
	outcomes := RivalConformance(t, "TestRivalConformanceConsulV5", 2*time.Minute, rivalAgentEnv+"="+consultest.StartDev(t).HTTPAddr)
	if len(outcomes) != len(registrytest.Cases()) {
		t.Fatalf("report covers %d of %d cases", len(outcomes), len(registrytest.Cases()))
	}
	LogOutcomes(t, "go-micro v5 consul", outcomes)
}
