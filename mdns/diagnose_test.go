package mdns_test

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/microreg/microreg/internal/netns"
	"github.com/microreg/microreg/mdns"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

// veth makes a veth pair a<->b inside the test's private namespace, up,
// with an address each and multicast as asked, and removes it when the
// test ends: interfaces other than lo for the registries to be on.
func veth(t *testing.T, a, b string, multicast bool) {
	t.Helper()
	if !netns.Inside() {
		t.Fatal("veth pairs are made only inside the test's private network namespace")
	}
	mc := "off"
	if multicast {
		mc = "on"
	}
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	run("link", "add", a, "type", "veth", "peer", "name", b)
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", a).Run() })
	for i, ifn := range []string{a, b} {
		run("addr", "add", "10.99.0."+string(rune('1'+i))+"/24", "dev", ifn)
		run("link", "set", ifn, "multicast", mc)
		run("link", "set", ifn, "up")
	}
}

func TestDiagnoseNoMulticastInterface(t *testing.T) {
	veth(t, "nomc0", "nomc1", false)
	r := mdns.NewRegistry(mdns.Interface("nomc0"))
	t.Cleanup(func() { registry.Close(r) })
	registrytest.WantFinding(t, registrytest.Diagnose(r, "greeter"), "interfaces", registry.StatusFail, "nomc0", "multicast on")
}

func TestDiagnoseServiceOnAnotherInterface(t *testing.T) {
	veth(t, "mdv0", "mdv1", true)
	there, err := mdns.New(mdns.Interface("mdv0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { there.Close() })
	if err := there.Register(&registry.Service{Name: "hidden", Version: "1.0.0",
		Nodes: []*registry.Node{{Id: "hidden-1", Address: "10.99.0.1:9090"}}}); err != nil {
		t.Fatal(err)
	}
	here, err := mdns.New(mdns.Interface("lo"), mdns.QueryTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { here.Close() })
	d := registrytest.Diagnose(here, "hidden")
	registrytest.WantFinding(t, d, "interfaces", registry.StatusWarn, "joined lo", "not joined: mdv0, mdv1")
	registrytest.WantFinding(t, d, "other interfaces", registry.StatusFail, "hidden answers on mdv0,", "mdns.Interface(\"mdv0\")",
		"avahi-browse -r _microreg._tcp", "dns-sd -B _microreg._tcp")
	registrytest.WantFinding(t, d, "service", registry.StatusFail)
	if !d.Failed() {
		t.Fatal("the diagnosis does not fail")
	}
	// On the interface it is on, everything is fine. (Not across the
	// pair: in one namespace both ends' addresses are local, and Linux
	// drops a packet from a local address arriving on another interface.)
	peer, err := mdns.New(mdns.Interface("mdv0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	d = registrytest.Diagnose(peer, "hidden")
	registrytest.WantFinding(t, d, "traffic", registry.StatusOK, "heard 1 node(s)")
	registrytest.WantFinding(t, d, "service", registry.StatusOK, "version 1.0.0, 1 node")
}
