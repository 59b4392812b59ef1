package bench

import (
	"reflect"
	"testing"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/internal/face4"
	"github.com/microreg/microreg/registry"
)

// The hand-written floor copies what CopyServices copies, and shares
// nothing with its source.
func TestHandCopyIsADeepCopy(t *testing.T) {
	src := []*registry.Service{WorkloadService(1, Nodes), WorkloadService(2, 0)}
	got := HandCopy(src)
	if !reflect.DeepEqual(got, copyServices(src)) || !reflect.DeepEqual(got, src) {
		t.Fatal("HandCopy differs from its source or from CopyServices")
	}
	got[0].Nodes[0].Metadata["broker"] = "changed"
	got[0].Endpoints[0].Request.Values[0].Name = "changed"
	got[0].Metadata["team"] = "changed"
	if src[0].Nodes[0].Metadata["broker"] == "changed" || src[0].Endpoints[0].Request.Values[0].Name == "changed" || src[0].Metadata["team"] == "changed" {
		t.Fatal("HandCopy shares memory with its source")
	}
}

// copyServices is the engine's CopyServices on go-micro's types, as the
// v4 face calls it.
func copyServices(s []*registry.Service) []*registry.Service {
	return face4.Services(engine.CopyServices(face4.EngineServices(s)))
}

// BenchmarkCopy: one workload service of 10 nodes, deep-copied by the
// registry's CopyServices (impl=microreg) and by hand (impl=floor).
func BenchmarkCopy(b *testing.B) {
	src := []*registry.Service{WorkloadService(1, Nodes)}
	for _, c := range []struct {
		name string
		copy func([]*registry.Service) []*registry.Service
	}{{"microreg", copyServices}, {"floor", HandCopy}} {
		b.Run(Impl(c.name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = c.copy(src)
			}
		})
	}
}
