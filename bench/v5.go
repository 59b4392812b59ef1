package bench

import (
	mregistry5 "go-micro.dev/v5/registry"

	"github.com/microreg/microreg/internal/face"
	"github.com/microreg/microreg/internal/face4"
	"github.com/microreg/microreg/micro5/registry/registrytest"
	"github.com/microreg/microreg/registry"
)

// V5 is a go-micro v5 registry (one of v5's own: its memory, mdns or
// consul) as a go-micro v4 registry.Registry, so that it runs in the same
// harness as the v4 contenders: v5's face turned back into the engine's,
// then the v4 face over it. Both crossings convert pointers and nothing
// else (bench/run face measures what a crossing costs).
func V5(r mregistry5.Registry) registry.Registry {
	return face4.New(registrytest.Engine(r).(face.Backend))
}
