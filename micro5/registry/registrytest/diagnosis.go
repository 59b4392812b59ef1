package registrytest

import (
	"context"
	"testing"
	"time"

	mregistry "go-micro.dev/v5/registry"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/engine/enginetest"
	"github.com/microreg/microreg/internal/face"
	"github.com/microreg/microreg/micro5/internal/face5"
)

// Diagnose runs registry.Diagnose on r for service, with 20 s for all of
// its checks.
func Diagnose(r mregistry.Registry, service string) *engine.Diagnosis {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return face.Diagnose(ctx, face5.Engine(r), r, service)
}

// WantFinding fails the test unless d has the check named check, with
// status, and its finding or fix says each of says.
func WantFinding(t testing.TB, d *engine.Diagnosis, check string, status engine.Status, says ...string) engine.Finding {
	t.Helper()
	return enginetest.WantFinding(t, d, check, status, says...)
}
