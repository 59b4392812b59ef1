package consul_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/registry"
)

// A watch of every service, over 1,000 services, on an agent with its
// default limits (200 HTTP connections per client address), holds a
// constant number of connections to the agent and sees every service, while other
// registries on the host register without a 429.
func TestWatchAllOfAThousandServicesKeepsTheAgentUsable(t *testing.T) {
	agent := consultest.StartDev(t)
	tr := &http.Transport{}
	c, err := api.NewClient(&api.Config{Address: agent.HTTPAddr, HttpClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000
	for i := 0; i < n; i++ {
		err := c.Agent().ServiceRegister(&api.AgentServiceRegistration{ID: fmt.Sprintf("many-%04d-1", i),
			Name: fmt.Sprintf("many-%04d", i), Address: "127.0.0.1", Port: 10000 + i})
		if err != nil {
			t.Fatal(err)
		}
	}
	tr.CloseIdleConnections()
	before := consultest.Conns(t, agent.HTTPAddr)

	watcher := open(t, agent.HTTPAddr)
	w, err := watcher.Watch()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	created := map[string]bool{}
	var mu sync.Mutex
	go func() {
		for {
			ev, err := w.Next()
			if err != nil {
				if err == registry.ErrWatcherStopped { //nolint:errorlint // the sentinel itself
					return
				}
				continue
			}
			if ev.Action == registry.ActionCreate && strings.HasPrefix(ev.Service.Name, "many-") {
				mu.Lock()
				created[ev.Service.Name] = true
				mu.Unlock()
			}
		}
	}()
	start := time.Now()
	wait.Until(t, 60*time.Second, "the watch-all sees all 1,000 services", func() error {
		mu.Lock()
		defer mu.Unlock()
		if len(created) != n {
			return fmt.Errorf("%d of %d", len(created), n)
		}
		return nil
	})
	t.Logf("the watch-all saw all %d services in %v", n, time.Since(start))
	held := consultest.Conns(t, agent.HTTPAddr) - before
	t.Logf("connections the watching registry holds to its agent: %d", held)
	// The documented bound: at most 4 long-lived connections (here the
	// catalog and health queries) and at most 4 idle ones that short
	// calls reuse (here the fetchers'), whatever the number of services.
	if held > 8 {
		t.Fatalf("the watching registry holds %d connections to its agent, want at most 8 (4 long-lived, 4 idle)", held)
	}

	// Other registries on the same host register meanwhile.
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for r := 0; r < 5; r++ {
		reg := open(t, agent.HTTPAddr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if err := reg.Register(svc(fmt.Sprintf("other-%d-%d", r, i), fmt.Sprintf("other-%d-%d-1", r, i), "x")); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a registry on the same host failed to register: %v", err)
	}
	wait.Until(t, 30*time.Second, "the watch-all sees the new services", func() error {
		_, err := watcher.GetService("other-4-19")
		return err
	})
	if held := consultest.Conns(t, agent.HTTPAddr) - before; held > 6*8 {
		t.Fatalf("six registries hold %d connections to the agent", held)
	}
}
