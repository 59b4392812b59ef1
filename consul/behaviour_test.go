package consul_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/registry"
)

// TestWatchErrorsReachTheCaller: when the agent goes away, a watcher's
// Next returns an error wrapping ErrUnavailable instead of hanging; once
// the agent is back, the same watcher reports changes again.
func TestWatchErrorsReachTheCaller(t *testing.T) {
	agent := consultest.StartDev(t)
	r := open(t, agent.HTTPAddr, consul.CheckTTL(time.Second))
	if err := r.Register(svc("watched", "watched-1", "a")); err != nil {
		t.Fatal(err)
	}
	w, err := r.Watch(registry.WatchService("watched"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if ev, err := w.Next(); err != nil || ev.Action != registry.ActionCreate {
		t.Fatalf("first event: %v %v", ev, err)
	}
	agent.Kill()
	type next struct {
		ev  *registry.Result
		err error
	}
	results := make(chan next, 16)
	go func() {
		for {
			ev, err := w.Next()
			results <- next{ev, err}
			if errors.Is(err, registry.ErrWatcherStopped) {
				return
			}
		}
	}()
	waitFor := func(what string, match func(next) bool) {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case n := <-results:
				if match(n) {
					return
				}
			case <-timeout:
				t.Fatalf("%s: not within 20s", what)
			}
		}
	}
	waitFor("an error wrapping ErrUnavailable", func(n next) bool { return errors.Is(n.err, consul.ErrUnavailable) })
	agent.Start(t) // a -dev agent comes back empty
	agent.WaitLeader(t, 30*time.Second)
	if err := r.Register(svc("watched", "watched-2", "a")); err != nil {
		t.Fatal(err)
	}
	waitFor("a change made after the agent came back, on the same watcher", func(n next) bool {
		if n.err != nil || n.ev.Action == registry.ActionDelete {
			return false
		}
		for _, node := range n.ev.Service.Nodes {
			if node.Id == "watched-2" {
				return true
			}
		}
		return false
	})
}

// TestExtraChecksAndFailover: TCPCheck adds a check next to the
// heartbeat; a registry pointed at nothing fails with ErrUnavailable and
// fails over to a second address that works.
func TestExtraChecksAndFailover(t *testing.T) {
	agent := consultest.StartDev(t)
	r := open(t, agent.HTTPAddr, consul.TCPCheck(10*time.Second))
	if err := r.Register(svc("checked", "checked-1", "a")); err != nil {
		t.Fatal(err)
	}
	c, _ := api.NewClient(&api.Config{Address: agent.HTTPAddr})
	checks, _, err := c.Health().Checks("checked", nil)
	if err != nil {
		t.Fatal(err)
	}
	var ttl, tcp bool
	for _, chk := range checks {
		ttl = ttl || chk.Type == "ttl"
		tcp = tcp || chk.Type == "tcp"
	}
	if !ttl || !tcp {
		t.Fatalf("checks %v: want the heartbeat and a TCP check", checks)
	}

	dead := "127.0.0.1:1" // nothing listens on port 1
	if err := open(t, dead).Register(svc("x", "x-1", "a")); !errors.Is(err, consul.ErrUnavailable) {
		t.Fatalf("Register with no agent: %v, want ErrUnavailable", err)
	}
	both := open(t, dead, registry.Addrs(dead, agent.HTTPAddr))
	if err := both.Register(svc("failover", "failover-1", "a")); err != nil {
		t.Fatalf("Register with a dead first agent and a live second: %v", err)
	}
	if _, err := both.GetService("failover"); err != nil {
		t.Fatalf("GetService after failover: %v", err)
	}
}

// TestACLDeniedIsATypedError: an agent with ACLs on and a default-deny
// policy refuses an anonymous registration; the error says so.
func TestACLDeniedIsATypedError(t *testing.T) {
	agent := consultest.StartDev(t, `acl { enabled = true, default_policy = "deny", tokens { initial_management = "root-token" } }`)
	anon := open(t, agent.HTTPAddr)
	err := anon.Register(svc("secret", "secret-1", "a"))
	if !errors.Is(err, consul.ErrPermissionDenied) {
		t.Fatalf("anonymous Register: %v, want ErrPermissionDenied", err)
	}
	root := open(t, agent.HTTPAddr, consul.Token("root-token"))
	if err := root.Register(svc("secret", "secret-1", "a")); err != nil {
		t.Fatalf("Register with the management token: %v", err)
	}
	if _, err := root.GetService("secret"); err != nil {
		t.Fatalf("GetService with the management token: %v", err)
	}
}
