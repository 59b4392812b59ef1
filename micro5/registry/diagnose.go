package registry

import (
	"context"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/internal/face"
	"github.com/microreg/microreg/micro5/internal/face5"
)

// Status is how one diagnostic check came out.
type Status = engine.Status

// The statuses, from good to bad.
const (
	StatusOK   = engine.StatusOK   // nothing wrong
	StatusWarn = engine.StatusWarn // works, but something may hide services or soon will
	StatusFail = engine.StatusFail // this is why a service is not found, or nothing works
)

// Finding is the result of one check: its name, how it came out, what it
// found in one line and, for a warning or a failure, what to do.
type Finding = engine.Finding

// Diagnoser is implemented by a backend that can say, in its own terms,
// why a service is or is not found. Every microreg backend is one.
type Diagnoser = engine.Diagnoser

// Diagnosis is what Diagnose found.
type Diagnosis = engine.Diagnosis

// Diagnose runs the checks every backend shares and, if r is a
// Diagnoser, its own: the backend answers a listing; with a service, the
// service is found, or the names closest to it that exist (by case and
// edit distance) with their versions. It changes nothing registered, and
// works on any go-micro v5 registry.
func Diagnose(ctx context.Context, r Registry, service string) *Diagnosis {
	return face.Diagnose(ctx, face5.Engine(r), r, service)
}
