package consul_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/registry"
)

// passing counts name's passing instances (one client for all calls: a
// new one each time would hold a connection each, past the agent's limit
// per address).
func passing(c *api.Client, name string) (int, error) {
	entries, _, err := c.Health().Service(name, "", true, nil)
	return len(entries), err
}

// An agent killed and restarted empty (a -dev agent keeps nothing): own
// nodes are back and passing within a second of its return, with the
// default 30 s check TTL (a heartbeat every 10 s); a view stops serving a
// node Consul no longer has, and serves the re-registered one.
func TestAgentBackEmptyIsCurrentWithinASecond(t *testing.T) {
	agent := consultest.StartDev(t)
	writer := open(t, agent.HTTPAddr)
	viewer := open(t, agent.HTTPAddr)
	if err := writer.Register(svc("bounce", "bounce-1", "a")); err != nil {
		t.Fatal(err)
	}
	c, err := api.NewClient(&api.Config{Address: agent.HTTPAddr})
	if err != nil {
		t.Fatal(err)
	}
	// A node registered by someone else, which nobody registers again.
	if err := c.Agent().ServiceRegister(&api.AgentServiceRegistration{ID: "ghost-1", Name: "ghost", Address: "127.0.0.1", Port: 9}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bounce", "ghost"} {
		wait.Until(t, 5*time.Second, "the viewer sees "+name, func() error {
			_, err := viewer.GetService(name)
			return err
		})
	}

	agent.Kill()
	// The outage itself: its length is the scenario, not a wait for a
	// condition. Meanwhile the view goes on answering.
	time.Sleep(3 * time.Second)
	if _, err := viewer.GetService("bounce"); err != nil {
		t.Fatalf("GetService of a viewed service while the agent is down: %v", err)
	}
	agent.Start(t)
	agent.WaitLeader(t, 30*time.Second)
	back := time.Now()

	took := wait.Until(t, 5*time.Second, "own node registered again and passing", func() error {
		if n, err := passing(c, "bounce"); err != nil || n != 1 {
			return fmt.Errorf("%d passing, %v", n, err)
		}
		return nil
	})
	t.Logf("own node back and passing %v after the agent was", took)
	wait.Until(t, 5*time.Second, "the view drops the node Consul lost", func() error {
		if _, err := viewer.GetService("ghost"); !errors.Is(err, registry.ErrNotFound) {
			return fmt.Errorf("ghost still served: %v", err)
		}
		return nil
	})
	wait.Until(t, 5*time.Second, "the view serves the node registered again", func() error {
		_, err := viewer.GetService("bounce")
		return err
	})
	current := time.Since(back)
	t.Logf("views current %v after the agent was back", current)
	if took > 2*time.Second || current > 3*time.Second {
		t.Fatalf("back after %v, views current after %v: want about a second", took, current)
	}
}

// Errors that mean "Consul cannot answer now" are ErrUnavailable, and the
// cause stays reachable with errors.As.
func TestUnavailableKeepsItsCause(t *testing.T) {
	r := open(t, "127.0.0.1:1", registry.Timeout(time.Second)) // nothing listens
	_, err := r.ListServices()
	if !errors.Is(err, consul.ErrUnavailable) {
		t.Fatalf("ListServices with no agent: %v", err)
	}
	var url interface{ Timeout() bool }
	if !errors.As(err, &url) {
		t.Fatalf("the network error is not reachable in %v", err)
	}
}

// The cluster loses its quorum (the leader and a follower killed): lookups
// go on answering from the server left (stale reads, the default) or say
// ErrUnavailable, never a raw server error; a Register made meanwhile may
// fail, but the registry keeps the intent, so once the servers are back
// the node is registered and passing without another call, and Deregister
// removes it.
func TestQuorumLoss(t *testing.T) {
	cluster := consultest.StartCluster(t, 3)
	leader := cluster.LeaderAgent(t)
	follower := cluster.Followers(leader)[0]
	r := open(t, cluster.Client.HTTPAddr, registry.Timeout(3*time.Second))
	if err := r.Register(svc("before", "before-1", "a")); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 10*time.Second, "registered before the loss", func() error {
		_, err := r.GetService("before")
		return err
	})

	leader.Kill()
	follower.Kill()
	if _, err := r.GetService("before"); err != nil {
		t.Fatalf("a viewed service during the loss: %v", err)
	}
	unknown := func(err error) error {
		if err == nil || errors.Is(err, registry.ErrNotFound) || errors.Is(err, consul.ErrUnavailable) {
			return nil
		}
		return fmt.Errorf("want an answer, ErrNotFound or ErrUnavailable, got %w", err)
	}
	if _, err := r.GetService("never-seen"); unknown(err) != nil {
		t.Fatalf("a new name during the loss: %v", unknown(err))
	}
	if _, err := r.ListServices(); unknown(err) != nil {
		t.Fatalf("ListServices during the loss: %v", unknown(err))
	}
	err := r.Register(svc("during", "during-1", "a"))
	t.Logf("Register during the loss: %v", err)
	if err != nil && !errors.Is(err, consul.ErrUnavailable) {
		t.Fatalf("Register during the loss: %v, want nil or ErrUnavailable", err)
	}

	leader.Restart(t)
	follower.Restart(t)
	cluster.Client.WaitLeader(t, 60*time.Second)
	c, err := api.NewClient(&api.Config{Address: cluster.Client.HTTPAddr})
	if err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 30*time.Second, "the node registered during the loss is passing", func() error {
		if n, err := passing(c, "during"); err != nil || n != 1 {
			return fmt.Errorf("%d passing, %v", n, err)
		}
		return nil
	})
	if err := r.Deregister(svc("during", "during-1", "a")); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 30*time.Second, "Deregister removes it", func() error {
		if n, err := instances(cluster.Client.HTTPAddr, "during"); err != nil || n != 0 {
			return fmt.Errorf("%d instances, %v", n, err)
		}
		return nil
	})
}
