package bench

import (
	"testing"

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
