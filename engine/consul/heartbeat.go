package consul

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/engine"
)

// heartbeat keeps one node's TTL check passing. A node registered with
// RegisterTTL stays passing until that TTL runs out without a new
// Register, then its check is failed at once; one registered without
// stays passing until Deregister or Close. If the agent has forgotten the
// node (it restarted, a -dev agent was wiped), the heartbeat registers it
// again.
type heartbeat struct {
	svc      *engine.Service // the service and node as last registered
	reg      *api.AgentServiceRegistration
	x        extras        // the user's tags and Meta it was registered with
	call     extras        // those of them a Register's context gave
	ttl      time.Duration // RegisterTTL; 0: none
	checkTTL time.Duration
	deadline time.Time     // last Register + ttl
	poke     chan struct{} // beat now: the agent answers again
	cancel   context.CancelFunc
}

func checkID(id string) string { return "service:" + id }

func (c *Registry) checkTTL() time.Duration {
	if d, ok := engine.ContextValue[time.Duration](c.Options(), checkTTLKey{}); ok && d > 0 {
		return d
	}
	return DefaultCheckTTL
}

func (c *Registry) deregisterAfter() time.Duration {
	if d, ok := engine.ContextValue[time.Duration](c.Options(), deregKey{}); ok && d > 0 {
		return d
	}
	return DefaultDeregisterCriticalAfter
}

// nodePlan is what Register does for one node: pass its check (reg is
// nil: registered unchanged before) or register it.
type nodePlan struct {
	id   string
	svc  *engine.Service // one node
	reg  *api.AgentServiceRegistration
	x    extras // the user's tags and Meta
	call extras // those of them the Register's context gave
}

// unchanged reports whether one (a service with one node) is registered
// by this registry exactly so, with the same TTL and extras.
func (c *Registry) unchanged(one *engine.Service, ttl time.Duration, x extras) bool {
	c.mu.Lock()
	hb := c.heartbeats[one.Nodes[0].Id]
	c.mu.Unlock()
	return hb != nil && hb.ttl == ttl && hb.x.equal(x) && engine.SameRegistration(hb.svc, one)
}

// registerNode registers one instance, or passes the check of one
// registered unchanged (registering it again if the agent forgot it).
func (c *Registry) registerNode(ctx context.Context, a *agents, p nodePlan, ttl time.Duration) error {
	if p.reg == nil {
		c.mu.Lock()
		hb := c.heartbeats[p.id]
		if hb != nil {
			hb.deadline = time.Now().Add(ttl)
		}
		c.mu.Unlock()
		if hb == nil {
			return fmt.Errorf("node %s expired while being registered; register it again", p.id)
		}
		err := a.do(ctx, func(cl *api.Client) error {
			return cl.Agent().UpdateTTLOpts(checkID(p.id), "registered", api.HealthPassing, a.q(ctx))
		})
		if err == nil || !forgotten(err) {
			return err
		}
		p.svc, p.reg, p.x, p.call = hb.svc, hb.reg, hb.x, hb.call
	}
	checkTTL := ttl
	if checkTTL <= 0 {
		checkTTL = c.checkTTL()
	}
	p.reg.Checks = append(api.AgentServiceChecks{{
		CheckID: checkID(p.id),
		Name:    "microreg heartbeat",
		// A digest of the registration: the check changes whenever the
		// registration does, which is how registries whose change
		// detection is shared notice it (shared.go).
		Notes:                          "registration " + digest(p.reg),
		TTL:                            checkTTL.String(),
		Status:                         api.HealthPassing,
		DeregisterCriticalServiceAfter: c.deregisterAfter().String(),
	}}, c.extraChecks(p.reg)...)
	err := a.do(ctx, func(cl *api.Client) error {
		return cl.Agent().ServiceRegisterOpts(p.reg, api.ServiceRegisterOpts{}.WithContext(ctx))
	})
	if err != nil && !errors.Is(err, ErrUnavailable) {
		return err
	}
	passed := true
	if err == nil {
		// An agent that knew this check keeps its old status through a
		// registration (to avoid flapping): a node registered again after
		// its process died would stay critical until the first heartbeat.
		// Pass it now, as go-micro's consul plugin does.
		passed = a.do(ctx, func(cl *api.Client) error {
			return cl.Agent().UpdateTTLOpts(checkID(p.id), "registered", api.HealthPassing, a.q(ctx))
		}) == nil
	}
	// Registered, or perhaps registered: an agent that timed out or lost
	// its servers may have taken it anyway. The registry owns the intent
	// until Deregister either way: the heartbeat registers the node again
	// if the agent does not know it, and keeps its check passing if it
	// does, so nothing is left critical or orphaned.
	hb := c.startHeartbeat(p, ttl, checkTTL)
	if !passed && hb != nil {
		hb.poke <- struct{}{} // the heartbeat passes it, within a second
	}
	if err != nil {
		if hb != nil {
			hb.poke <- struct{}{} // try again at once, then within a second
		}
		return fmt.Errorf("%w (the registry keeps registering it until Deregister)", err)
	}
	return nil
}

// extraChecks builds the checks added by HTTPCheck, TCPCheck, GRPCCheck.
func (c *Registry) extraChecks(reg *api.AgentServiceRegistration) api.AgentServiceChecks {
	specs, _ := engine.ContextValue[[]checkSpec](c.Options(), checksKey{})
	addr := net.JoinHostPort(reg.Address, strconv.Itoa(reg.Port))
	var out api.AgentServiceChecks
	for i, spec := range specs {
		chk := &api.AgentServiceCheck{
			CheckID:                        fmt.Sprintf("service:%s:%s%d", reg.ID, spec.kind, i),
			Name:                           "microreg " + spec.kind,
			Interval:                       spec.interval.String(),
			DeregisterCriticalServiceAfter: c.deregisterAfter().String(),
		}
		switch spec.kind {
		case "http":
			chk.HTTP = strings.ReplaceAll(spec.url, "{address}", addr)
		case "tcp":
			chk.TCP = addr
		case "grpc":
			chk.GRPC = addr
		}
		out = append(out, chk)
	}
	return out
}

// digest is a short hash of what a registration carries.
func digest(reg *api.AgentServiceRegistration) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00%q\x00", reg.ID, reg.Name, reg.Address, reg.Port, reg.Tags)
	for _, k := range slices.Sorted(maps.Keys(reg.Meta)) {
		fmt.Fprintf(h, "%s=%s\x00", k, reg.Meta[k])
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// forgotten reports an agent answer meaning it has no such check (404,
// or the 500 older agents give for an unknown check).
func forgotten(err error) bool {
	var se api.StatusError
	if !errors.As(err, &se) {
		return false
	}
	return se.Code == 404 || se.Code == 500 && (strings.Contains(se.Body, "nknown check") || strings.Contains(se.Body, "associated TTL"))
}

func (c *Registry) startHeartbeat(p nodePlan, ttl, checkTTL time.Duration) *heartbeat {
	reg := p.reg
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	if old := c.heartbeats[reg.ID]; old != nil {
		old.cancel()
	}
	ctx, cancel := context.WithCancel(c.ctx)
	hb := &heartbeat{svc: p.svc, reg: reg, x: p.x, call: p.call, ttl: ttl, checkTTL: checkTTL, deadline: time.Now().Add(ttl), poke: make(chan struct{}, 1), cancel: cancel}
	c.heartbeats[reg.ID] = hb
	c.wg.Add(1)
	go c.beat(ctx, hb)
	c.startPulseLocked()
	return hb
}

// lastCall returns the extras an earlier Register's context gave node id.
func (c *Registry) lastCall(id string) extras {
	c.mu.Lock()
	defer c.mu.Unlock()
	if hb := c.heartbeats[id]; hb != nil {
		return hb.call
	}
	return extras{}
}

func (c *Registry) stopHeartbeat(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if hb := c.heartbeats[id]; hb != nil {
		hb.cancel()
		delete(c.heartbeats, id)
	}
}

// agentBack makes every heartbeat beat now: a query that failed answers
// again, so the agent may have restarted, empty or with checks critical.
func (c *Registry) agentBack() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, hb := range c.heartbeats {
		select {
		case hb.poke <- struct{}{}:
		default:
		}
	}
}

// beat passes hb's check every third of its TTL, registering the node
// again if the agent forgot it. While the agent cannot be reached it
// retries within a second, so the node is back, passing, within a second
// of the agent's return.
func (c *Registry) beat(ctx context.Context, hb *heartbeat) {
	defer c.wg.Done()
	every := max(hb.checkTTL/3, 50*time.Millisecond)
	timer := time.NewTimer(every)
	defer timer.Stop()
	var b backoff
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-hb.poke:
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		}
		a, err := c.client()
		if err != nil {
			return
		}
		c.mu.Lock()
		expired := hb.ttl > 0 && time.Now().After(hb.deadline)
		if expired && c.heartbeats[hb.reg.ID] == hb {
			delete(c.heartbeats, hb.reg.ID)
		}
		c.mu.Unlock()
		callCtx, cancel := c.callCtx(ctx)
		if expired {
			_ = a.do(callCtx, func(cl *api.Client) error {
				return cl.Agent().UpdateTTLOpts(checkID(hb.reg.ID), "registration not renewed within its TTL", api.HealthCritical, a.q(callCtx))
			})
			cancel()
			return
		}
		err = a.do(callCtx, func(cl *api.Client) error {
			return cl.Agent().UpdateTTLOpts(checkID(hb.reg.ID), "alive", api.HealthPassing, a.q(callCtx))
		})
		if err != nil && forgotten(err) {
			err = a.do(callCtx, func(cl *api.Client) error {
				return cl.Agent().ServiceRegisterOpts(hb.reg, api.ServiceRegisterOpts{}.WithContext(callCtx))
			})
		}
		cancel()
		if err == nil {
			b.reset()
			timer.Reset(every)
			continue
		}
		if ctx.Err() != nil {
			return
		}
		c.logf("consul: heartbeat of %s: %v (retrying)", hb.reg.ID, err)
		b.d = min(max(b.d*2, 100*time.Millisecond), time.Second)
		timer.Reset(b.d)
	}
}
