package registrytest

import (
	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/internal/face4"
	"github.com/microreg/microreg/registry"
)

// The engine's helpers on go-micro's types, by the face's conversions.

func copyService(s *registry.Service) *registry.Service {
	return face4.V4Service(engine.CopyService(face4.Service(s)))
}

func copyServices(s []*registry.Service) []*registry.Service {
	return face4.Services(engine.CopyServices(face4.EngineServices(s)))
}

func replay(view []*registry.Service, r *registry.Result) []*registry.Service {
	return face4.Services(engine.Replay(face4.EngineServices(view), face4.EngineResult(r)))
}

func size(s *registry.Service) int { return engine.Size(face4.Service(s)) }

func equalEndpoints(a, b []*registry.Endpoint) bool {
	return engine.EqualEndpoints(face4.Service(&registry.Service{Endpoints: a}).Endpoints,
		face4.Service(&registry.Service{Endpoints: b}).Endpoints)
}

func equalNode(a, b *registry.Node) bool {
	return engine.EqualNode(face4.Service(&registry.Service{Nodes: []*registry.Node{a}}).Nodes[0],
		face4.Service(&registry.Service{Nodes: []*registry.Node{b}}).Nodes[0])
}
