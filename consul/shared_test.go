package consul_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/registry"
)

// With shared change detection (a registry viewing more services than it
// gives queries of their own), an instance registered without a check of
// its own changes no check: it is seen all the same, whether it starts a
// service, joins a service of such instances, or leaves one.
func TestSharedDetectionSeesInstancesWithoutChecks(t *testing.T) {
	agent := consultest.StartDev(t)
	c, err := api.NewClient(&api.Config{Address: agent.HTTPAddr})
	if err != nil {
		t.Fatal(err)
	}
	put := func(name, id string, port int) {
		t.Helper()
		err := c.Agent().ServiceRegister(&api.AgentServiceRegistration{ID: id, Name: name, Address: "127.0.0.1", Port: port})
		if err != nil {
			t.Fatal(err)
		}
	}
	put("bare-a", "bare-a-1", 7001)
	r := open(t, agent.HTTPAddr)
	for _, name := range []string{"bare-a", "bare-b", "bare-c", "bare-d"} { // past the per-service views
		if _, err := r.GetService(name); err != nil && err != registry.ErrNotFound { //nolint:errorlint // the sentinel itself
			t.Fatal(err)
		}
	}
	nodes := func(name string, want int) func() error {
		return func() error {
			s, err := r.GetService(name)
			if want == 0 && err == registry.ErrNotFound { //nolint:errorlint // the sentinel itself
				return nil
			}
			if err != nil {
				return err
			}
			if len(s) != 1 || len(s[0].Nodes) != want {
				return fmt.Errorf("%d services, want one of %d nodes: %+v", len(s), want, s)
			}
			return nil
		}
	}
	waitUntil(t, 5e9, "the first checkless instance", nodes("bare-a", 1))
	put("bare-a", "bare-a-2", 7002)
	d := waitUntil(t, 5e9, "a second checkless instance beside the first", nodes("bare-a", 2))
	t.Logf("a checkless instance beside another seen after %v", d)
	put("bare-b", "bare-b-1", 7003)
	waitUntil(t, 5e9, "a checkless instance of a new service", nodes("bare-b", 1))
	if err := c.Agent().ServiceDeregister("bare-a-1"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5e9, "a checkless instance gone", nodes("bare-a", 1))
	if err := c.Agent().ServiceDeregister("bare-a-2"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5e9, "the last checkless instance gone", nodes("bare-a", 0))
}
