package face

import (
	"context"

	"github.com/microreg/microreg/engine"
)

// Diagnose runs engine.Diagnose on e, a face's registry r seen as the
// engine's, with r's own checks if r has them (every microreg backend
// does; go-micro's registries do not).
func Diagnose(ctx context.Context, e engine.Registry, r any, service string) *engine.Diagnosis {
	return engine.Diagnose(ctx, diagnosable{e, r}, service)
}

// diagnosable is e with the Diagnose method of r, if r has one.
type diagnosable struct {
	engine.Registry
	r any
}

func (d diagnosable) Diagnose(ctx context.Context, service string) []engine.Finding {
	if dg, ok := d.r.(engine.Diagnoser); ok {
		return dg.Diagnose(ctx, service)
	}
	return nil
}
