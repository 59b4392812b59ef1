package enginetest

import (
	"strings"
	"testing"

	"github.com/microreg/microreg/engine"
)

// WantFinding fails the test unless d has the check named check, with
// status, and its finding or fix says each of says.
func WantFinding(t testing.TB, d *engine.Diagnosis, check string, status engine.Status, says ...string) engine.Finding {
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
