package bench

import (
	"testing"

	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/registry"
)

// BenchmarkFootprint: what a registered node and a watcher cost the
// process that holds them, for the memory, consul and gossip backends
// and their rivals (mdns: in mdnsbench, inside its namespace).
func BenchmarkFootprint(b *testing.B) {
	for _, c := range memoryContenders {
		b.Run("memory/"+Impl(c.name), func(b *testing.B) {
			r := c.new()
			b.Cleanup(func() { registry.Close(r) })
			Footprint(b, r)
		})
	}
	agent := consultest.StartDev(b)
	for _, c := range consulContenders {
		b.Run("consul/"+Impl(c.name), func(b *testing.B) {
			r := c.new(agent.HTTPAddr)
			b.Cleanup(func() { registry.Close(r) })
			Footprint(b, r)
		})
	}
	for _, c := range gossipContenders {
		b.Run("gossip/"+Impl(c.name), func(b *testing.B) {
			Footprint(b, c.cluster(b, 1)[0].r)
		})
	}
}
