package registry_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/microreg/microreg/memory"
	"github.com/microreg/microreg/registry"
)

// broken is a registry whose every call fails.
type broken struct{ registry.Registry }

func (broken) String() string { return "broken" }
func (broken) ListServices(...registry.ListOption) ([]*registry.Service, error) {
	return nil, errors.New("connection refused")
}

func TestDiagnoseSharedChecks(t *testing.T) {
	r, err := memory.New()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, v := range []string{"1.0.0", "2.0.0"} {
		if err := r.Register(&registry.Service{Name: "greeter", Version: v,
			Nodes: []*registry.Node{{Id: "greeter-" + v, Address: "127.0.0.1:8080"}}}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	check := func(d *registry.Diagnosis, name string) registry.Finding {
		t.Helper()
		f, ok := d.Check(name)
		if !ok {
			t.Fatalf("no %q check in %+v", name, d.Findings)
		}
		return f
	}

	d := registry.Diagnose(ctx, r, "greeter")
	if d.Failed() || d.Backend != "memory" || d.Service != "greeter" {
		t.Fatalf("a registered service: %+v", d)
	}
	if f := check(d, "service"); !strings.Contains(f.Finding, "version 1.0.0, 1 node; version 2.0.0, 1 node") {
		t.Fatalf("service: %q", f.Finding)
	}
	if f := check(d, "listing"); f.Status != registry.StatusOK || f.Finding != "memory lists 1 service" {
		t.Fatalf("listing: %+v", f)
	}

	d = registry.Diagnose(ctx, r, "greter")
	f := check(d, "service")
	if !d.Failed() || f.Status != registry.StatusFail || !strings.Contains(f.Fix, "did you mean greeter (version 1.0.0, 1 node; version 2.0.0, 1 node)?") {
		t.Fatalf("a typo: %+v", f)
	}

	d = registry.Diagnose(ctx, broken{}, "greeter")
	if f := check(d, "listing"); f.Status != registry.StatusFail || !strings.Contains(f.Finding, "connection refused") {
		t.Fatalf("an unreachable backend: %+v", f)
	}
	if len(d.Findings) != 1 {
		t.Fatalf("an unreachable backend is looked up anyway: %+v", d.Findings)
	}

	b, err := json.Marshal(registry.Finding{Check: "x", Status: registry.StatusWarn, Finding: "y"})
	if err != nil || string(b) != `{"check":"x","status":"warn","finding":"y"}` {
		t.Fatalf("JSON: %s, %v", b, err)
	}
}
