package main_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/microreg/microreg/internal/consultest"
)

// TestDoctorCriticalCheck is the package doc's example: a service whose only
// instance's TTL check went critical is "registered but hidden". The
// doc (doc.go) shows this test's output (agent ports made the usual ones);
// MICROREG_UPDATE_DOC=1 writes it there.
func TestDoctorCriticalCheck(t *testing.T) {
	agent := consultest.StartDev(t)
	agent.RegisterCritical(t, "greeter", "greeter-1")
	args := []string{"--registry", "consul", "--registry_address", agent.HTTPAddr, "doctor", "greeter"}
	out, errOut, code := cli(t, args...)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a check failed); stderr %s\n%s", code, errOut, out)
	}
	for _, want := range []string{
		"microreg doctor: consul, service greeter",
		"ok    agent            agent http://" + agent.HTTPAddr + " answers: consul ",
		"fail  health           registered but hidden: 1 instance: 0 passing, 0 warning, 1 critical; " +
			`greeter-1: check "greeter TTL" critical: TTL expired`,
		"fail  service          greeter is not registered",
		"2 checks failed",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("the output lacks %q:\n%s", want, out)
		}
	}
	shown := strings.ReplaceAll(out, agent.HTTPAddr, "127.0.0.1:8500")
	shown = regexp.MustCompile(`Raft leader 127\.0\.0\.1:\d+`).ReplaceAllString(shown, "Raft leader 127.0.0.1:8300")
	// The example in the package doc (doc.go): the commands and the
	// output, as a code block of the doc comment.
	var block strings.Builder
	for _, line := range strings.Split("$ microreg --registry consul doctor greeter\n"+shown+"$ echo $?\n1", "\n") {
		block.WriteString("//\t" + line + "\n")
	}
	docPath := "doc.go"
	text, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "//\t$ microreg --registry consul doctor greeter\n", "//\t$ echo $?\n//\t1\n"
	i, j := strings.Index(string(text), begin), strings.Index(string(text), end)
	if i < 0 || j < i {
		t.Fatalf("%s has no doctor example (%q ... %q)", docPath, begin, end)
	}
	j += len(end)
	if os.Getenv("MICROREG_UPDATE_DOC") == "1" {
		updated := string(text[:i]) + block.String() + string(text[j:])
		if err := os.WriteFile(docPath, []byte(updated), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if got := string(text[i:j]); got != block.String() {
		t.Fatalf("%s's doctor example is not this test's output (MICROREG_UPDATE_DOC=1 writes it):\n--- doc\n%s--- test\n%s", docPath, got, block.String())
	}

	out, _, code = cli(t, append([]string{"--json"}, args...)...)
	var raw struct {
		Backend string `json:"backend"`
		Service string `json:"service"`
		Checks  []struct {
			Check, Status, Finding, Fix string
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil || code != 1 {
		t.Fatalf("--json: exit %d, %v:\n%s", code, err, out)
	}
	statuses := map[string]string{}
	for _, c := range raw.Checks {
		statuses[c.Check] = c.Status
	}
	if raw.Backend != "consul" || raw.Service != "greeter" || statuses["health"] != "fail" || statuses["agent"] != "ok" || statuses["service"] != "fail" {
		t.Fatalf("--json: %+v", raw)
	}
}

func TestDoctorHealthyExitsZero(t *testing.T) {
	agent := consultest.StartDev(t)
	out, errOut, code := cli(t, "--registry", "consul", "--registry_address", agent.HTTPAddr, "doctor")
	if code != 0 || !strings.Contains(out, "no check failed") || !strings.Contains(out, "ok    acl") {
		t.Fatalf("doctor on a healthy agent: exit %d, stderr %s\n%s", code, errOut, out)
	}
	out, _, code = cli(t, "--registry", "memory", "doctor", "greeter")
	if code != 1 || !strings.Contains(out, "fail  service") {
		t.Fatalf("doctor of a missing service: exit %d\n%s", code, out)
	}
	out, _, code = cli(t, "--registry", "nats", "doctor", "greeter")
	if code != 1 || !strings.Contains(out, "fail  backend          unknown registry backend \"nats\" (known: consul, etcd, gossip, mdns, memory)") {
		t.Fatalf("doctor of a backend not linked in: exit %d\n%s", code, out)
	}
}
