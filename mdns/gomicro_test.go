package mdns_test

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"testing"
	"time"

	gmregistry "go-micro.dev/v4/registry"
	gmmdns "go-micro.dev/v4/util/mdns"

	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/mdns"
	"github.com/microreg/microreg/registry"
)

// Mixed fleets: go-micro v4.11.0's own mDNS registry (its default) as a
// real peer, in the same private namespace.

func greeterService(name, id, addr string) *registry.Service {
	return &registry.Service{
		Name:    name,
		Version: "1.0.0",
		Endpoints: []*registry.Endpoint{{
			Name:     "Say.Hello",
			Request:  &registry.Value{Name: "Request", Type: "Request", Values: []*registry.Value{{Name: "name", Type: "string"}}},
			Response: &registry.Value{Name: "Response", Type: "Response"},
			Metadata: map[string]string{"stream": "false"},
		}},
		Nodes: []*registry.Node{{Id: id, Address: addr, Metadata: map[string]string{"protocol": "mucp", "transport": "http"}}},
	}
}

// hasNode checks list holds a node id at addr whose service and node match
// want's version, endpoints and node metadata.
func hasNode(list []*registry.Service, want *registry.Service) error {
	n := want.Nodes[0]
	for _, s := range list {
		for _, got := range s.Nodes {
			if got.Id != n.Id {
				continue
			}
			switch {
			case got.Address != n.Address:
				return fmt.Errorf("node %s at %s, want %s", n.Id, got.Address, n.Address)
			case s.Version != want.Version:
				return fmt.Errorf("version %q, want %q", s.Version, want.Version)
			case len(s.Endpoints) != len(want.Endpoints) || s.Endpoints[0].Name != want.Endpoints[0].Name:
				return fmt.Errorf("endpoints %v", s.Endpoints)
			case fmt.Sprint(got.Metadata) != fmt.Sprint(n.Metadata):
				return fmt.Errorf("node metadata %v, want %v", got.Metadata, n.Metadata)
			}
			return nil
		}
	}
	return fmt.Errorf("no node %s among %d services", n.Id, len(list))
}

// events pumps a go-micro watcher into a channel until it stops.
func events(w gmregistry.Watcher) <-chan *gmregistry.Result {
	ch := make(chan *gmregistry.Result, 64)
	go func() {
		defer close(ch)
		for {
			r, err := w.Next()
			if err != nil {
				return
			}
			ch <- r
		}
	}()
	return ch
}

// waitEvent waits for an event matching action and node id (and, if
// check is given, passing it).
func waitEvent(t *testing.T, ch <-chan *gmregistry.Result, action, id string, check ...func(*gmregistry.Result) error) *gmregistry.Result {
	t.Helper()
	timeout := time.After(10 * time.Second)
	var last error
	for {
		select {
		case r, ok := <-ch:
			if !ok {
				t.Fatalf("watcher ended waiting for %s %s", action, id)
			}
			if r.Action != action || !slices.ContainsFunc(r.Service.Nodes, func(n *registry.Node) bool { return n.Id == id }) {
				continue
			}
			if len(check) > 0 {
				if last = check[0](r); last != nil {
					continue
				}
			}
			return r
		case <-timeout:
			t.Fatalf("no %s event for node %s within 10s (last mismatch: %v)", action, id, last)
		}
	}
}

// TestGoMicroFindsMicroregNodes: a service registered through microreg is
// found, listed and watched (create, changed data, goodbye) by go-micro's
// own mDNS registry.
func TestGoMicroFindsMicroregNodes(t *testing.T) {
	m := open(t, mdns.TTL(time.Minute))
	gm := gmregistry.NewRegistry()
	w, err := gm.Watch()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ch := events(w)

	s := greeterService("mixed.mr", "mr-1", "127.0.0.1:7101")
	if err := m.Register(s); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, ch, "create", "mr-1", func(r *gmregistry.Result) error { return hasNode([]*registry.Service{r.Service}, s) })
	wait.Until(t, 5*time.Second, "go-micro GetService", func() error {
		list, err := gm.GetService("mixed.mr")
		if err != nil {
			return err
		}
		return hasNode(list, s)
	})
	wait.Until(t, 5*time.Second, "go-micro ListServices", func() error {
		list, err := gm.ListServices()
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(list, func(x *registry.Service) bool { return x.Name == "mixed.mr" }) {
			return fmt.Errorf("not among %d services", len(list))
		}
		return nil
	})

	changed := greeterService("mixed.mr", "mr-1", "127.0.0.1:7101")
	changed.Nodes[0].Metadata["zone"] = "b"
	if err := m.Register(changed); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, ch, "create", "mr-1", func(r *gmregistry.Result) error { return hasNode([]*registry.Service{r.Service}, changed) })

	if err := m.Deregister(changed); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, ch, "delete", "mr-1")
	wait.Until(t, 5*time.Second, "go-micro GetService after the goodbye", func() error {
		list, err := gm.GetService("mixed.mr")
		if err != nil {
			return err
		}
		if hasNode(list, changed) == nil {
			return errors.New("the node is still found")
		}
		return nil
	})
}

// TestMicroregFindsGoMicroNodes: a service registered through go-micro's
// own mDNS registry is found by a microreg registry created after it,
// listed by another, and watched by a third (a node joining, a goodbye).
func TestMicroregFindsGoMicroNodes(t *testing.T) {
	gm := gmregistry.NewRegistry()
	s := greeterService("mixed.gm", "gm-1", "127.0.0.1:7201")
	if err := gm.Register(s); err != nil {
		t.Fatal(err)
	}
	defer gm.Deregister(s)

	late := open(t) // created after the registration: it must ask
	start := time.Now()
	wait.Until(t, 5*time.Second, "microreg GetService", func() error {
		list, err := late.GetService("mixed.gm")
		if err != nil {
			return err
		}
		return hasNode(list, s)
	})
	t.Logf("found by a registry created after the registration in %v", time.Since(start))

	lister := open(t)
	list, err := lister.ListServices()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(list, func(x *registry.Service) bool { return x.Name == "mixed.gm" }) {
		t.Fatalf("the first ListServices of a new registry: %d services, not mixed.gm", len(list))
	}

	watcher := open(t)
	if _, err := watcher.GetService("mixed.gm"); err != nil { // as go-micro's selector does
		t.Fatal(err)
	}
	w, err := watcher.Watch(registry.WatchService("mixed.gm"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ch := events(w)
	second := greeterService("mixed.gm", "gm-2", "127.0.0.1:7202")
	if err := gm.Register(second); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, ch, registry.ActionUpdate, "gm-2", func(r *gmregistry.Result) error { return hasNode([]*registry.Service{r.Service}, second) })
	if err := gm.Deregister(s); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, ch, registry.ActionDelete, "gm-1")
	wait.Until(t, 5*time.Second, "GetService after go-micro's goodbye", func() error {
		list, err := watcher.GetService("mixed.gm")
		if err != nil {
			return err
		}
		if hasNode(list, s) == nil {
			return errors.New("gm-1 still found")
		}
		return hasNode(list, second)
	})
	if err := gm.Deregister(second); err != nil {
		t.Fatal(err)
	}
}

// TestGoMicroFormatOff: with GoMicro(false) neither side sees the other.
func TestGoMicroFormatOff(t *testing.T) {
	m := open(t, mdns.GoMicro(false))
	if err := m.Register(greeterService("mixed.off", "off-1", "127.0.0.1:7301")); err != nil {
		t.Fatal(err)
	}
	gm := gmregistry.NewRegistry()
	s := greeterService("mixed.off.gm", "off-2", "127.0.0.1:7302")
	if err := gm.Register(s); err != nil {
		t.Fatal(err)
	}
	defer gm.Deregister(s)
	// go-micro waits its whole 100 ms for answers: none come.
	if list, err := gm.GetService("mixed.off"); err != nil || len(list) != 0 {
		t.Fatalf("go-micro found a node served in microreg's format only: %v, %v", list, err)
	}
	if _, err := m.GetService("mixed.off.gm"); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("GoMicro(false) read a go-micro node: %v", err)
	}
}

// TestGoMicroNodeKeptFreshByAsking: go-micro announces a node three times
// in its first seconds and never again, so a microreg cache asks for it
// before its records expire. A go-micro responder whose records live 1 s
// stays found for many times that, and its goodbye still removes it.
func TestGoMicroNodeKeptFreshByAsking(t *testing.T) {
	txt, err := goMicroTXT(gmTXT{Service: "mixed.fresh", Version: "1.0.0", Metadata: map[string]string{"protocol": "mucp"}})
	if err != nil {
		t.Fatal(err)
	}
	zone, err := gmmdns.NewMDNSService("fresh-1", "mixed.fresh", "micro.", "", 7401, []net.IP{net.IPv4(127, 0, 0, 1)}, txt)
	if err != nil {
		t.Fatal(err)
	}
	zone.TTL = 1 // seconds; go-micro's registry uses 120
	srv, err := gmmdns.NewServer(&gmmdns.Config{Zone: zone})
	if err != nil {
		t.Fatal(err)
	}
	m := open(t)
	wait.Until(t, 5*time.Second, "first lookup", func() error {
		_, err := m.GetService("mixed.fresh")
		return err
	})
	// go-micro's last announcement goes out about 3 s after it starts:
	// from then on only microreg's own questions keep the node.
	for end := time.Now().Add(8 * time.Second); time.Now().Before(end); {
		list, err := m.GetService("mixed.fresh")
		if err != nil || len(list) != 1 || list[0].Nodes[0].Id != "fresh-1" {
			t.Fatalf("a live go-micro node with 1 s records was dropped: %v, %v", list, err)
		}
		time.Sleep(100 * time.Millisecond) // polling interval of the check
	}
	if err := srv.Shutdown(); err != nil { // says goodbye
		t.Fatal(err)
	}
	wait.Until(t, 5*time.Second, "gone after go-micro's goodbye", func() error {
		if _, err := m.GetService("mixed.fresh"); !errors.Is(err, registry.ErrNotFound) {
			return fmt.Errorf("still found: %v", err)
		}
		return nil
	})
}

// gmTXT is go-micro's TXT payload, built here as go-micro builds it.
type gmTXT struct {
	Metadata  map[string]string
	Service   string
	Version   string
	Endpoints []*registry.Endpoint
}

func goMicroTXT(v gmTXT) ([]string, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	if _, err := w.Write(body); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	enc := hex.EncodeToString(z.Bytes())
	var out []string
	for len(enc) > 255 {
		out, enc = append(out, enc[:255]), enc[255:]
	}
	return append(out, enc), nil
}
