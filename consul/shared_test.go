package consul_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/internal/wait"
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
	r := open(t, agent.HTTPAddr, consul.ViewQueries(2))
	for _, name := range []string{"bare-a", "bare-b", "bare-c", "bare-d"} { // past the queries of their own
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
	wait.Until(t, 5e9, "the first checkless instance", nodes("bare-a", 1))
	put("bare-a", "bare-a-2", 7002)
	d := wait.Until(t, 5e9, "a second checkless instance beside the first", nodes("bare-a", 2))
	t.Logf("a checkless instance beside another seen after %v", d)
	put("bare-b", "bare-b-1", 7003)
	wait.Until(t, 5e9, "a checkless instance of a new service", nodes("bare-b", 1))
	if err := c.Agent().ServiceDeregister("bare-a-1"); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 5e9, "a checkless instance gone", nodes("bare-a", 1))
	if err := c.Agent().ServiceDeregister("bare-a-2"); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 5e9, "the last checkless instance gone", nodes("bare-a", 0))
}

// With shared change detection, a watcher of a service whose instances
// have no checks sees a node registered into it through another registry.
func TestSharedDetectionWatcherSeesARegistrationBesideCheckless(t *testing.T) {
	agent := consultest.StartDev(t)
	c, err := api.NewClient(&api.Config{Address: agent.HTTPAddr})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		err := c.Agent().ServiceRegister(&api.AgentServiceRegistration{ID: fmt.Sprintf("plain-%d-1", i), Name: fmt.Sprintf("plain-%d", i), Address: "127.0.0.1", Port: 7100 + i})
		if err != nil {
			t.Fatal(err)
		}
	}
	r := open(t, agent.HTTPAddr, consul.ViewQueries(2))
	for i := 0; i < 10; i++ {
		if _, err := r.GetService(fmt.Sprintf("plain-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	w, err := r.Watch(registry.WatchService("plain-0"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	writer := open(t, agent.HTTPAddr)
	if err := writer.Register(svc("plain-0", "plain-0-2", "x")); err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	go func() {
		for {
			ev, err := w.Next()
			if err != nil {
				return
			}
			for _, n := range ev.Service.Nodes {
				if n.Id == "plain-0-2" && ev.Action != registry.ActionDelete {
					close(got)
					return
				}
			}
		}
	}()
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		s, err := r.GetService("plain-0")
		t.Fatalf("the watcher did not see the registration within 10 s (GetService: %v, %v)", describe(s), err)
	}
}

func describe(ss []*registry.Service) string {
	var out []string
	for _, s := range ss {
		for _, n := range s.Nodes {
			out = append(out, s.Name+"@"+s.Version+"/"+n.Id)
		}
	}
	return fmt.Sprint(out)
}
