package consul

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/engine"
)

// Diagnose checks, in Consul's terms, why service is or is not found
// (see engine.Diagnose, which adds the checks every backend shares):
// the agent and its datacenter, the ACL token, the Raft leader, and with a
// service its instances by health, the failing checks' names and output,
// and the same name in other datacenters. It only reads.
func (c *Registry) Diagnose(ctx context.Context, service string) []engine.Finding {
	a, err := c.client()
	if err != nil {
		return []engine.Finding{{Check: "config", Status: engine.StatusFail, Finding: err.Error(),
			Fix: "fix the registry's options (address, TLS, token)"}}
	}
	cl, addr := a.current()
	dc, _ := engine.ContextValue[string](c.Options(), dcKey{})
	q := (&api.QueryOptions{Datacenter: dc}).WithContext(ctx)
	self, agentF := checkAgent(cl, addr)
	out := []engine.Finding{agentF}
	if self == nil && agentF.Status == engine.StatusFail {
		return out
	}
	agentDC := ""
	if self != nil {
		agentDC, _ = self["Config"]["Datacenter"].(string)
	}
	dcs, _ := cl.Catalog().Datacenters()
	dcF := checkDatacenter(dc, agentDC, dcs)
	out = append(out, dcF)
	if dcF.Status == engine.StatusFail {
		return out
	}
	out = append(out, checkLeader(cl, q))
	if service == "" {
		return append(out, checkACL(cl, q, ""))
	}
	acl := checkACL(cl, q, service)
	out = append(out, acl)
	if acl.Status == engine.StatusFail {
		return out
	}
	entries, _, err := cl.Health().Service(service, "", false, q)
	if err != nil {
		return append(out, engine.Finding{Check: "health", Status: engine.StatusFail,
			Finding: fmt.Sprintf("reading the health of %s: %v", service, err)})
	}
	exact := entries[:0:0]
	var others []string
	for _, e := range entries {
		if e.Service.Service == service {
			exact = append(exact, e)
		} else if !slices.Contains(others, e.Service.Service) {
			others = append(others, e.Service.Service)
		}
	}
	if len(others) > 0 {
		// Consul matches names without regard to case; lookups do not.
		out = append(out, engine.Finding{Check: "name", Status: engine.StatusWarn,
			Finding: fmt.Sprintf("Consul answers %s with instances of %s: its names ignore case, lookups do not", service, strings.Join(others, ", ")),
			Fix:     "use the name exactly as registered"})
	}
	entries = exact
	out = append(out, checkHealth(service, entries))
	if len(entries) == 0 {
		here := dc
		if here == "" {
			here = agentDC
		}
		out = append(out, checkOtherDatacenters(ctx, cl, service, here, dcs))
	}
	return out
}

// checkAgent reads the agent's own configuration: is it there, where,
// over what, in which datacenter.
func checkAgent(cl *api.Client, addr string) (map[string]map[string]any, engine.Finding) {
	f := engine.Finding{Check: "agent"}
	self, err := cl.Agent().Self()
	switch {
	case statusCode(err) == 403:
		f.Status, f.Finding = engine.StatusWarn, fmt.Sprintf("agent %s answers, but the token may not read its configuration (agent:read)", addr)
		f.Fix = "harmless for the registry; grant agent:read to see the agent's datacenter here"
		return nil, f
	case err != nil:
		f.Status, f.Finding = engine.StatusFail, fmt.Sprintf("agent %s cannot be reached: %v", addr, err)
		f.Fix = "run a Consul agent on this host, or name one with --registry_address (or CONSUL_HTTP_ADDR); https needs the agent's CA"
		return nil, f
	}
	cfg := self["Config"]
	f.Finding = fmt.Sprintf("agent %s answers: consul %v, node %v, datacenter %v", addr, cfg["Version"], cfg["NodeName"], cfg["Datacenter"])
	return self, f
}

// checkDatacenter compares the datacenter the registry asks for with the
// ones the agent knows.
func checkDatacenter(asked, agentDC string, known []string) engine.Finding {
	f := engine.Finding{Check: "datacenter"}
	switch {
	case asked == "" || asked == agentDC:
		f.Finding = fmt.Sprintf("the registry reads the agent's datacenter %s", orUnknown(agentDC))
	case len(known) > 0 && !slices.Contains(known, asked):
		f.Status = engine.StatusFail
		f.Finding = fmt.Sprintf("the registry asks for datacenter %s, which the agent does not know (it knows %s)", asked, strings.Join(known, ", "))
		f.Fix = fmt.Sprintf("use consul.Datacenter(%q) or none (the agent's own), or join the datacenters over the WAN", agentDC)
	default:
		f.Status = engine.StatusWarn
		f.Finding = fmt.Sprintf("the registry reads datacenter %s through an agent of %s: services registered here go to %s", asked, orUnknown(agentDC), orUnknown(agentDC))
		f.Fix = "read and register in the same datacenter, or expect reads and writes to differ"
	}
	return f
}

// checkLeader asks for the Raft leader: without one, reads are stale.
func checkLeader(cl *api.Client, q *api.QueryOptions) engine.Finding {
	f := engine.Finding{Check: "leader"}
	leader, err := cl.Status().LeaderWithQueryOptions(q)
	if err != nil || leader == "" {
		f.Status = engine.StatusWarn
		f.Finding = "the servers have no Raft leader now: lookups answer from any server (stale reads), registrations fail"
		if err != nil {
			f.Finding += fmt.Sprintf(" (%v)", err)
		}
		f.Fix = "check the servers: consul operator raft list-peers, consul members"
		return f
	}
	f.Finding = "Raft leader " + leader + ": reads are current"
	return f
}

// checkACL reads the catalog, and the service, with the registry's token.
// Consul answers a token that may not read something with less, not with
// an error: a catalog without even the servers' own "consul" service
// under a default-deny policy is a token that may not read services.
func checkACL(cl *api.Client, q *api.QueryOptions, service string) engine.Finding {
	f := engine.Finding{Check: "acl"}
	fix := `give the registry a token (consul.Token, or CONSUL_HTTP_TOKEN) whose policy has service_prefix "" { policy = "read" } and node_prefix "" { policy = "read" }`
	services, meta, err := cl.Catalog().Services(q)
	switch {
	case statusCode(err) == 403:
		f.Status, f.Finding, f.Fix = engine.StatusFail, fmt.Sprintf("the ACL token may not read the catalog: %v", err), fix
		return f
	case err != nil:
		f.Status, f.Finding = engine.StatusFail, fmt.Sprintf("reading the catalog: %v", err)
		return f
	}
	deny := meta != nil && meta.DefaultACLPolicy == "deny"
	if _, ok := services["consul"]; deny && !ok {
		f.Status, f.Fix = engine.StatusFail, fix
		f.Finding = "ACLs deny by default and the token sees no service at all, not even the servers' own consul: it may not read services"
		if service != "" {
			f.Finding = "the ACL token may not read service " + service + ": " + f.Finding
		}
		return f
	}
	if service != "" {
		entries, smeta, err := cl.Health().Service(service, "", false, q)
		switch {
		case statusCode(err) == 403:
			f.Status, f.Finding, f.Fix = engine.StatusFail, fmt.Sprintf("the ACL token may not read service %s: %v", service, err), fix
			return f
		case err == nil && len(entries) == 0 && deny:
			f.Status, f.Fix = engine.StatusWarn, fix
			f.Finding = fmt.Sprintf("ACLs deny by default and the token sees no instance of %s: it may lack service:read on it", service)
			return f
		case smeta != nil && smeta.ResultsFilteredByACLs:
			meta = smeta
		}
	}
	if meta != nil && meta.ResultsFilteredByACLs {
		f.Status, f.Fix = engine.StatusWarn, "grant node:read and service:read on what the token should see"
		f.Finding = "the ACL token reads the catalog, but some results were hidden from it"
		return f
	}
	f.Finding = "the token may read the catalog"
	if service != "" {
		f.Finding += " and service " + service
	}
	if deny {
		f.Finding += " (ACLs deny by default)"
	}
	return f
}

// checkHealth sorts the instances by health and names the failing checks:
// a service whose instances all fail is registered but hidden.
func checkHealth(service string, entries []*api.ServiceEntry) engine.Finding {
	f := engine.Finding{Check: "health"}
	if len(entries) == 0 {
		f.Finding = "no instance of " + service + " in the catalog"
		f.Status = engine.StatusFail
		f.Fix = "the service is not registered in this datacenter; see the service check"
		return f
	}
	var passing, warning, critical int
	var failing []string
	for _, e := range entries {
		switch e.Checks.AggregatedStatus() {
		case api.HealthPassing:
			passing++
			continue
		case api.HealthWarning:
			warning++
		default:
			critical++
		}
		for _, ch := range e.Checks {
			if ch.Status != api.HealthPassing {
				failing = append(failing, fmt.Sprintf("%s: check %q %s: %s", e.Service.ID, ch.Name, ch.Status, strings.TrimSpace(ch.Output)))
			}
		}
	}
	sort.Strings(failing)
	instances := fmt.Sprintf("%d instances", len(entries))
	if len(entries) == 1 {
		instances = "1 instance"
	}
	f.Finding = fmt.Sprintf("%s: %d passing, %d warning, %d critical", instances, passing, warning, critical)
	if len(failing) > 0 {
		f.Finding += "; " + strings.Join(failing, "; ")
	}
	switch {
	case passing == 0:
		f.Status = engine.StatusFail
		f.Finding = "registered but hidden: " + f.Finding
		f.Fix = "lookups return passing instances only: a TTL check fails when its process stops heartbeating (is it running? can it reach its agent?); see consul catalog services and the UI"
	case warning+critical > 0:
		f.Status = engine.StatusWarn
		f.Fix = "the failing instances are not returned; see their checks' output"
	}
	return f
}

// checkOtherDatacenters looks for service in the datacenters other than
// here.
func checkOtherDatacenters(ctx context.Context, cl *api.Client, service, here string, dcs []string) engine.Finding {
	f := engine.Finding{Check: "datacenters"}
	var found []string
	for _, dc := range dcs {
		if dc == here {
			continue
		}
		nodes, _, err := cl.Catalog().Service(service, "", (&api.QueryOptions{Datacenter: dc}).WithContext(ctx))
		if err == nil && len(nodes) > 0 {
			found = append(found, fmt.Sprintf("%s (%d in the catalog)", dc, len(nodes)))
		}
	}
	if len(found) == 0 {
		f.Finding = fmt.Sprintf("%s is in no other datacenter either (%d known)", service, len(dcs))
		return f
	}
	f.Status = engine.StatusFail
	f.Finding = fmt.Sprintf("%s is registered in %s, not in %s", service, strings.Join(found, ", "), orUnknown(here))
	f.Fix = "read that datacenter with consul.Datacenter, or register the service in this one"
	return f
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}
