package consul_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/registry"
)

// A registry that views a few services of a large catalog, as a client
// process in a fleet does, asks nothing of its agent when a service it
// does not view changes: across 30 changes elsewhere, and one to a viewed
// service after them (which its watcher reports), every answer the agent
// gave it was about that one viewed service. With change detection
// shared (ViewQueries(0)), the same changes wake it: that contrast shows
// the count sees what it should.
func TestAChangeElsewhereCostsNothing(t *testing.T) {
	agent := consultest.StartDev(t)
	cl, err := api.NewClient(&api.Config{Address: agent.HTTPAddr})
	if err != nil {
		t.Fatal(err)
	}
	put := func(name, id string, port int) {
		t.Helper()
		err := cl.Agent().ServiceRegister(&api.AgentServiceRegistration{ID: id, Name: name, Address: "127.0.0.1", Port: port,
			Check: &api.AgentServiceCheck{TTL: "1h", Status: api.HealthPassing}})
		if err != nil {
			t.Fatal(err)
		}
	}
	const viewed, others = 10, 100
	for i := 0; i < viewed; i++ {
		put(fmt.Sprintf("fleet-%02d", i), fmt.Sprintf("fleet-%02d-1", i), 7000+i)
	}
	for i := 0; i < others; i++ {
		put(fmt.Sprintf("other-%03d", i), fmt.Sprintf("other-%03d-1", i), 8000+i)
	}
	for _, tc := range []struct {
		name   string
		opts   []registry.Option
		shared bool
	}{
		{"own queries", nil, false},
		{"shared", []registry.Option{consul.ViewQueries(0)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proxy := consultest.StartProxy(t, agent)
			r := open(t, proxy.Addr, tc.opts...)
			for i := 0; i < viewed; i++ {
				if _, err := r.GetService(fmt.Sprintf("fleet-%02d", i)); err != nil {
					t.Fatal(err)
				}
			}
			w, err := r.Watch(registry.WatchService("fleet-00"))
			if err != nil {
				t.Fatal(err)
			}
			defer w.Stop()
			// The views have answered; what they ask from now on is counted.
			proxy.Answers()
			for i := 0; i < 30; i++ {
				id := fmt.Sprintf("other-%03d-x", i)
				put(fmt.Sprintf("other-%03d", i), id, 9000+i)
				if err := cl.Agent().ServiceDeregister(id); err != nil {
					t.Fatal(err)
				}
			}
			marker := "fleet-00-" + tc.name
			put("fleet-00", marker, 7100)
			t.Cleanup(func() { _ = cl.Agent().ServiceDeregister(marker) })
			seen := make(chan error, 1)
			go func() {
				for {
					ev, err := w.Next()
					if err != nil {
						seen <- err
						return
					}
					if ev.Action != registry.ActionDelete && slices.ContainsFunc(ev.Service.Nodes, func(n *registry.Node) bool { return n.Id == marker }) {
						seen <- nil
						return
					}
				}
			}()
			select {
			case err := <-seen:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the change to the viewed service was not reported within 10 s")
			}
			elsewhere := 0
			answers := proxy.Answers()
			for path, n := range answers {
				if path != "/v1/health/service/fleet-00" {
					elsewhere += n
				}
			}
			t.Logf("answers from the agent across 30 changes elsewhere and one to a viewed service: %v", answers)
			switch {
			case !tc.shared && elsewhere > 0:
				t.Fatalf("%d answers about something other than the changed viewed service: %v", elsewhere, answers)
			case tc.shared && elsewhere == 0:
				t.Fatalf("shared change detection was not woken by changes elsewhere: %v", answers)
			}
		})
	}
}

// ViewQueries takes 0 or more; a negative count is a bad configuration.
func TestViewQueriesNegativeIsABadConfiguration(t *testing.T) {
	_, err := consul.New(consul.ViewQueries(-1))
	if !errors.Is(err, consul.ErrConfig) {
		t.Fatalf("New(ViewQueries(-1)): %v, want ErrConfig", err)
	}
}
