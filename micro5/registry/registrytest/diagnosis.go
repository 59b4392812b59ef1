package registrytest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/microreg/microreg/micro5/registry"
)

// Diagnose runs registry.Diagnose on r for service, with 20 s for all of
// its checks.
func Diagnose(r registry.Registry, service string) *registry.Diagnosis {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return registry.Diagnose(ctx, r, service)
}

// WantFinding fails the test unless d has the check named check, with
// status, and its finding or fix says each of says.
func WantFinding(t testing.TB, d *registry.Diagnosis, check string, status registry.Status, says ...string) registry.Finding {
	t.Helper()
	f, ok := d.Check(check)
	if !ok {
		t.Fatalf("no %q check in %+v", check, d.Findings)
	}
	if f.Status != status {
		t.Fatalf("%s: %s (%s), want %s", check, f.Status, f.Finding, status)
	}
	for _, s := range says {
		if !strings.Contains(f.Finding+" "+f.Fix, s) {
			t.Fatalf("%s: %q (fix %q) does not say %q", check, f.Finding, f.Fix, s)
		}
	}
	return f
}
