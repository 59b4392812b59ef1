package gossip_test

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go-micro.dev/v4/logger"

	"github.com/microreg/microreg/gossip"
	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/registry"
)

func svc(name, id string) *registry.Service {
	return &registry.Service{Name: name, Version: "1.0.0",
		Nodes: []*registry.Node{{Id: id, Address: "127.0.0.1:9090", Metadata: map[string]string{"k": "v"}}}}
}

func found(r registry.Registry, name string) bool {
	_, err := r.GetService(name)
	return err == nil
}

func TestLargeServiceConvergesOnEveryNode(t *testing.T) {
	seed := node(t, nil)
	nodes := []*gossip.Registry{seed}
	for i := 0; i < 4; i++ {
		nodes = append(nodes, node(t, []string{addr(t, seed)}))
	}
	wait.Until(t, 10*time.Second, "cluster formed", func() bool { return nodes[4].Members() == 5 })
	s := svc("large", "large-1")
	s.Metadata = map[string]string{"blob": strings.Repeat("m", 4096)}
	for i := 0; i < 200; i++ {
		s.Endpoints = append(s.Endpoints, &registry.Endpoint{Name: fmt.Sprintf("H.M%03d", i),
			Request: &registry.Value{Name: "req", Type: "Req", Values: []*registry.Value{{Name: "id", Type: "string"}}}})
	}
	if err := nodes[1].Register(s); err != nil {
		t.Fatal(err)
	}
	for i, n := range nodes {
		wait.Until(t, 10*time.Second, fmt.Sprintf("node %d sees the 200-endpoint service", i), func() bool {
			got, err := n.GetService("large")
			return err == nil && len(got[0].Endpoints) == 200 && len(got[0].Metadata["blob"]) == 4096
		})
	}
}

func TestCrashedMemberIsDeletedEverywhere(t *testing.T) {
	seed := node(t, nil)
	a := node(t, []string{addr(t, seed)})
	b := node(t, []string{addr(t, seed)})
	w, err := b.Watch(registry.WatchService("crash"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if err := a.Register(svc("crash", "crash-1")); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 10*time.Second, "b sees the service", func() bool { return found(b, "crash") })
	gossip.Crash(a)
	took := wait.Until(t, 20*time.Second, "the crashed member's service vanishes on b", func() bool { return !found(b, "crash") })
	t.Logf("crash to gone on b: %v", took)
	for {
		ev, err := w.Next()
		if err != nil {
			t.Fatal(err)
		}
		if ev.Action == registry.ActionDelete {
			break
		}
	}
	// The seed learns of the death on its own (its own probe, or the
	// gossip of b's verdict): it must drop the service too, in about the
	// same time.
	took = wait.Until(t, 20*time.Second, "the crashed member's service vanishes on the seed", func() bool { return !found(seed, "crash") })
	t.Logf("crash to gone on the seed: %v after b", took)
}

func TestGracefulCloseSpreadsAtOnce(t *testing.T) {
	seed := node(t, nil)
	a := node(t, []string{addr(t, seed)}, gossip.NodeName("leaver"))
	logs := &capture{}
	b := node(t, []string{addr(t, seed)}, registry.Logger(logs))
	if err := a.Register(svc("leave", "leave-1")); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 10*time.Second, "b sees the service", func() bool { return found(b, "leave") })
	if err := registry.Close(a); err != nil {
		t.Fatal(err)
	}
	took := wait.Until(t, 10*time.Second, "b drops the service of a member that left", func() bool { return !found(b, "leave") })
	t.Logf("leave to gone on b: %v", took)
	// It went with the leave, not with failure detection.
	for _, s := range []string{"Suspect leaver", "Marking leaver as failed", "leaver, reported dead"} {
		if logs.contains(s) {
			t.Fatalf("b's log has %q: the member was found dead instead of seen leaving", s)
		}
	}
}

func TestDeregisterSpreadsBeforeLeave(t *testing.T) {
	seed := node(t, nil)
	a := node(t, []string{addr(t, seed)})
	b := node(t, []string{addr(t, seed)})
	s := svc("dereg", "dereg-1")
	if err := a.Register(s); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 10*time.Second, "b sees the service", func() bool { return found(b, "dereg") })
	if err := a.Deregister(s); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 10*time.Second, "b drops the deregistered service", func() bool { return !found(b, "dereg") })
	if b.Members() != 3 {
		t.Fatalf("b sees %d members, want 3: the deregistration must spread without anyone leaving", b.Members())
	}
}

func TestWrongKeyCannotJoinOrRead(t *testing.T) {
	key1, key2 := []byte("0123456789abcdef"), []byte("fedcba9876543210")
	seed := node(t, nil, gossip.SecretKey(key1))
	if err := seed.Register(svc("secret", "secret-1")); err != nil {
		t.Fatal(err)
	}
	good := node(t, []string{addr(t, seed)}, gossip.SecretKey(key1))
	if _, err := gossip.New(gossip.BindAddress("127.0.0.1", 0), registry.Addrs(addr(t, seed)), gossip.SecretKey(key2)); !errors.Is(err, gossip.ErrRejected) {
		t.Fatalf("New with the wrong key: %v, want ErrRejected", err)
	}
	// NewRegistry has no error to return: the node runs, alone.
	logs := &capture{}
	bad := gossip.NewRegistry(gossip.BindAddress("127.0.0.1", 0), registry.Addrs(addr(t, seed)), gossip.SecretKey(key2), registry.Logger(logs)).(*gossip.Registry)
	t.Cleanup(func() { registry.Close(bad) })
	wait.Until(t, 10*time.Second, "the node with the right key reads the service", func() bool { return found(good, "secret") })
	wait.Until(t, 10*time.Second, "the node with the wrong key fails to join", func() bool { return logs.contains("joining") })
	if n := bad.Members(); n != 1 {
		t.Fatalf("the wrong-key node sees %d members", n)
	}
	if found(bad, "secret") {
		t.Fatal("the wrong-key node read the service")
	}
	if _, err := gossip.New(gossip.BindAddress("127.0.0.1", 0), gossip.SecretKey([]byte("short"))); !errors.Is(err, gossip.ErrNotStarted) {
		t.Fatalf("a 5-byte key: %v", err)
	}
}

func TestInitAddrsJoinsAndKeepsRunning(t *testing.T) {
	a := node(t, nil)
	b := node(t, nil)
	if err := a.Register(svc("late", "late-1")); err != nil {
		t.Fatal(err)
	}
	if err := b.Init(registry.Addrs(addr(t, a))); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 10*time.Second, "b joined through Init sees a's service", func() bool { return found(b, "late") })
	if err := b.Register(svc("later", "later-1"), registry.RegisterTTL(time.Second)); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 10*time.Second, "a sees b's service", func() bool { return found(a, "later") })
	wait.Until(t, 10*time.Second, "b's TTL still runs after Init", func() bool { return !found(a, "later") && !found(b, "later") })
}

func TestZeroConfigNodesFindEachOther(t *testing.T) {
	a := gossip.NewRegistry().(*gossip.Registry)
	defer registry.Close(a)
	b := gossip.NewRegistry().(*gossip.Registry)
	defer registry.Close(b)
	if aa, _ := a.LocalAddr(); aa != net.JoinHostPort(gossip.DefaultBindAddr, strconv.Itoa(gossip.DefaultPort)) {
		t.Fatalf("the first node listens on %s, want the default 127.0.0.1:%d", aa, gossip.DefaultPort)
	}
	if err := a.Register(svc("zero", "zero-1")); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 10*time.Second, "the second zero-config node sees the first's service", func() bool { return found(b, "zero") })
}

func TestBindFailureIsAnError(t *testing.T) {
	a := node(t, nil)
	_, port, _ := net.SplitHostPort(addr(t, a))
	p, _ := strconv.Atoi(port)
	if _, err := gossip.New(gossip.BindAddress("127.0.0.1", p)); !errors.Is(err, gossip.ErrNotStarted) {
		t.Fatalf("New on a taken port: %v, want ErrNotStarted", err)
	}
	r := gossip.NewRegistry(gossip.BindAddress("127.0.0.1", p))
	defer registry.Close(r)
	if err := r.Register(svc("x", "x-1")); !errors.Is(err, gossip.ErrNotStarted) {
		t.Fatalf("Register on a node that did not start: %v", err)
	}
	// By name, as --registry=gossip and MICRO_REGISTRY=gossip choose it:
	// the reason reaches the caller.
	if r, err := registry.New(gossip.Name, gossip.BindAddress("127.0.0.1", p)); r != nil || !errors.Is(err, registry.ErrNotStarted) || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("registry.New(gossip) on a taken port: %v, %v; want no registry and the cause", r, err)
	}
}

func TestMemberlistLogsGoThroughGoMicrosLogger(t *testing.T) {
	logs := &capture{}
	node(t, nil, registry.Logger(logs))
	wait.Until(t, 5*time.Second, "a memberlist line reaches the logger", func() bool { return logs.contains("memberlist") })
}

// capture is a go-micro logger that keeps what it is given.
type capture struct {
	mu    sync.Mutex
	lines []string
}

func (c *capture) Init(...logger.Option) error                 { return nil }
func (c *capture) Options() logger.Options                     { return logger.Options{} }
func (c *capture) Fields(map[string]interface{}) logger.Logger { return c }
func (c *capture) String() string                              { return "capture" }
func (c *capture) Log(l logger.Level, v ...interface{})        { c.Logf(l, "%s", fmt.Sprint(v...)) }
func (c *capture) Logf(_ logger.Level, f string, v ...interface{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, fmt.Sprintf(f, v...))
}
func (c *capture) contains(s string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// A member that hears a death hint checks the reported member itself: a
// live one keeps its services, a dead one loses them at once, before this
// member's own failure detection has a verdict.
func TestDeathHintIsCheckedBeforeItActs(t *testing.T) {
	seed := node(t, nil)
	a := node(t, []string{addr(t, seed)})
	logs := &capture{}
	b := node(t, []string{addr(t, seed)}, registry.Logger(logs))
	if err := a.Register(svc("hinted", "hinted-1")); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 10*time.Second, "b sees the service", func() bool { return found(b, "hinted") })

	gossip.DeliverDeathHint(b, a) // wrong: a is alive
	wait.Until(t, 10*time.Second, "b's check of a answered", func() bool { return gossip.Checking(b) == 0 })
	if !found(b, "hinted") {
		t.Fatal("b dropped a live member's service on a wrong hint")
	}

	gossip.Crash(a)
	gossip.DeliverDeathHint(b, a)
	wait.Until(t, 10*time.Second, "b drops the service of a dead member it was told of", func() bool { return !found(b, "hinted") })
	if !logs.contains("reported dead, does not answer") {
		t.Fatal("b dropped the service, but not on its own check of the hint")
	}
}
