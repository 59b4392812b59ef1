package consul_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

// expect runs the doctor's checks on r for service and wants check to
// have status and say each of says.
func expect(t *testing.T, d *registry.Diagnosis, check string, status registry.Status, says ...string) {
	t.Helper()
	registrytest.WantFinding(t, d, check, status, says...)
}

func diagnose(r registry.Registry, service string) *registry.Diagnosis {
	return registrytest.Diagnose(r, service)
}

func TestDiagnose(t *testing.T) {
	agent := consultest.StartDev(t)
	r := open(t, agent.HTTPAddr)
	if err := r.Register(svc("greeter", "greeter-1", "a")); err != nil {
		t.Fatal(err)
	}
	t.Run("Healthy", func(t *testing.T) {
		d := diagnose(r, "greeter")
		if d.Failed() {
			t.Fatalf("a healthy service fails: %+v", d.Findings)
		}
		expect(t, d, "agent", registry.StatusOK, agent.HTTPAddr, "datacenter dc1")
		expect(t, d, "leader", registry.StatusOK, "Raft leader")
		expect(t, d, "health", registry.StatusOK, "1 passing")
		expect(t, d, "service", registry.StatusOK, "version 1.0.0, 1 node")
	})
	t.Run("CriticalCheck", func(t *testing.T) {
		agent.RegisterCritical(t, "billing", "billing-1")
		d := diagnose(r, "billing")
		expect(t, d, "health", registry.StatusFail, "registered but hidden", `billing-1: check "billing TTL" critical: TTL expired`)
		expect(t, d, "service", registry.StatusFail, "billing is not registered")
	})
	t.Run("Typo", func(t *testing.T) {
		for _, typo := range []string{"greter", "Greeter"} {
			d := diagnose(r, typo)
			expect(t, d, "service", registry.StatusFail, "did you mean greeter (version 1.0.0")
			expect(t, d, "health", registry.StatusFail, "no instance of "+typo)
			expect(t, d, "datacenters", registry.StatusOK, "in no other datacenter")
		}
		expect(t, diagnose(r, "Greeter"), "name", registry.StatusWarn, "instances of greeter", "ignore case")
	})
	t.Run("WrongDatacenter", func(t *testing.T) {
		wrong := open(t, agent.HTTPAddr, consul.Datacenter("dc9"))
		d := diagnose(wrong, "greeter")
		expect(t, d, "datacenter", registry.StatusFail, "dc9", "it knows dc1", `consul.Datacenter("dc1")`)
		if !d.Failed() {
			t.Fatal("the diagnosis does not fail")
		}
	})
	t.Run("NoAgent", func(t *testing.T) {
		none := open(t, "127.0.0.1:1")
		d := diagnose(none, "greeter")
		expect(t, d, "agent", registry.StatusFail, "cannot be reached", "--registry_address")
		expect(t, d, "listing", registry.StatusFail)
	})
}

func TestDiagnoseACLDenied(t *testing.T) {
	agent := consultest.StartDev(t, `acl { enabled = true, default_policy = "deny", tokens { initial_management = "root-token" } }`)
	root := open(t, agent.HTTPAddr, consul.Token("root-token"))
	if err := root.Register(svc("secret", "secret-1", "a")); err != nil {
		t.Fatal(err)
	}
	anon := open(t, agent.HTTPAddr)
	d := diagnose(anon, "secret")
	expect(t, d, "acl", registry.StatusFail, "may not read service secret", "not even the servers' own consul", "consul.Token")
	d = diagnose(root, "secret")
	expect(t, d, "acl", registry.StatusOK)
	expect(t, d, "health", registry.StatusOK, "1 passing")
}

func TestDiagnoseOtherDatacenter(t *testing.T) {
	dc1 := consultest.StartDev(t)
	dc2 := consultest.StartDev(t, `datacenter = "dc2"`)
	if out, err := dc2.CLI("join", "-wan", dc1.SerfWAN); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if err := open(t, dc2.HTTPAddr).Register(svc("reports", "reports-1", "a")); err != nil {
		t.Fatal(err)
	}
	r := open(t, dc1.HTTPAddr)
	wait.Until(t, 30*time.Second, "dc1 sees dc2 over the WAN", func() error {
		f, _ := diagnose(r, "reports").Check("datacenters")
		if f.Status != registry.StatusFail {
			return fmt.Errorf("%s: %s", f.Status, f.Finding)
		}
		return nil
	})
	expect(t, diagnose(r, "reports"), "datacenters", registry.StatusFail, "registered in dc2 (1 in the catalog), not in dc1", "consul.Datacenter")
}
