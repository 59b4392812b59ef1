package mdns_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/microreg/microreg/registry"
)

// goMicroLike is a service the way a go-micro server registers it: five
// node metadata keys and one endpoint.
func goMicroLike(i int) *registry.Service {
	return &registry.Service{
		Name:    fmt.Sprintf("scale.svc%03d", i),
		Version: "latest",
		Endpoints: []*registry.Endpoint{{
			Name:     "Handler.Call",
			Request:  &registry.Value{Name: "Request", Type: "Request"},
			Response: &registry.Value{Name: "Response", Type: "Response"},
			Metadata: map[string]string{"stream": "false"},
		}},
		Nodes: []*registry.Node{{
			Id:      fmt.Sprintf("scale.svc%03d-6f1c2a4e-9b7d-4e1a-8c3f-%012d", i, i),
			Address: fmt.Sprintf("127.0.0.1:%d", 20000+i),
			Metadata: map[string]string{
				"broker": "http", "protocol": "mucp", "registry": "mdns", "server": "mucp", "transport": "http",
			},
		}},
	}
}

// TestHundredsOfServicesOnOneHost: one process registers 300 services at
// once. A registry that existed before the burst hears every one (the
// announcements are split and paced, not dropped), and one created after
// it lists all 300 on its first ListServices (the browse answer is split
// into messages of at most 9,000 bytes).
func TestHundredsOfServicesOnOneHost(t *testing.T) {
	const n = 300
	before := open(t)
	w, err := before.Watch()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	created := make(chan string, n)
	go func() {
		for {
			r, err := w.Next()
			if err != nil {
				return
			}
			if r.Action == registry.ActionCreate {
				created <- r.Service.Name
			}
		}
	}()
	a := open(t)
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := a.Register(goMicroLike(i)); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("registered %d in %v", n, time.Since(start))
	seen := map[string]bool{}
	// Generous: under -race, compressing 300 TXT payloads alone takes
	// seconds; the time the burst takes is measured in bench/.
	timeout := time.After(30 * time.Second)
	for len(seen) < n {
		select {
		case name := <-created:
			seen[name] = true
		case <-timeout:
			t.Fatalf("the registry that existed before the burst heard %d of %d services in 30s", len(seen), n)
		}
	}
	t.Logf("a registry that existed before the burst heard all %d in %v", n, time.Since(start))

	after := open(t)
	start = time.Now()
	list, err := after.ListServices()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != n {
		t.Fatalf("the first ListServices of a registry created after the burst: %d services, want %d", len(list), n)
	}
	t.Logf("a registry created after the burst listed all %d in %v", n, time.Since(start))
	for i := 0; i < n; i += 50 {
		got, err := after.GetService(goMicroLike(i).Name)
		if err != nil || len(got) != 1 || got[0].Nodes[0].Id != goMicroLike(i).Nodes[0].Id {
			t.Fatalf("GetService(%s): %v, %v", goMicroLike(i).Name, got, err)
		}
	}
}
