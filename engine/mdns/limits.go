package mdns

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/microreg/microreg/engine"
)

// maxRefusedHosts bounds how many hosts' refusals are remembered for
// doctor; every refusal is counted.
const maxRefusedHosts = 64

// refusals is what a registry refused for the limits (doctor shows it).
type refusals struct {
	total    int64
	byHost   map[string]int64 // at most maxRefusedHosts
	view     int64
	lastView string
}

func hostOf(from *net.UDPAddr) string {
	if from == nil {
		return "?"
	}
	return from.IP.String()
}

// roomLocked reports whether host may have one more node, inst, cached
// for ttl, and notes it if so: a node it has already counts once, and
// nodes whose records expired make room. r.mu is held.
func (r *Registry) roomLocked(host, inst string, ttl time.Duration) bool {
	if r.hosts == nil {
		r.hosts = map[string]map[string]time.Time{}
	}
	m := r.hosts[host]
	if m == nil {
		m = map[string]time.Time{}
		r.hosts[host] = m
	}
	now := time.Now()
	if _, ok := m[inst]; !ok && len(m) >= r.maxPerHost {
		for k, until := range m {
			if now.After(until) {
				delete(m, k)
				delete(r.heardNodes, k)
			}
		}
		if len(m) >= r.maxPerHost {
			return false
		}
	}
	m[inst] = now.Add(ttl)
	return true
}

// forgetLocked uncounts host's node inst. r.mu is held.
func (r *Registry) forgetLocked(host, inst string) {
	if m := r.hosts[host]; m != nil {
		delete(m, inst)
		if len(m) == 0 {
			delete(r.hosts, host)
		}
	}
	delete(r.heardNodes, inst)
}

// refuse counts a node of host's refused for its limit, and logs the
// first.
func (r *Registry) refuse(host, service string) {
	r.mu.Lock()
	f := &r.refused
	if f.byHost == nil {
		f.byHost = map[string]int64{}
	}
	f.total++
	if _, seen := f.byHost[host]; seen || len(f.byHost) < maxRefusedHosts {
		f.byHost[host]++
	}
	first := f.byHost[host] == 1
	r.mu.Unlock()
	if first {
		r.logf("mdns: host %s announces more than %d nodes (its node of %s and any more are refused here; logged once; mdns.MaxNodesPerHost raises it)", host, r.maxPerHost, service)
	}
}

// refuseView counts a node refused by the view's limits, and logs the
// first.
func (r *Registry) refuseView(host string, err error) {
	r.mu.Lock()
	f := &r.refused
	f.view++
	first := f.view == 1
	f.lastView = fmt.Sprintf("host %s: %v", host, err)
	r.mu.Unlock()
	if first {
		r.logf("mdns: a node of host %s is refused: %v (logged once; registry.MaxServices and MaxNodes raise the limits)", host, err)
	}
}

// checkLimits reports the limits and what was refused for them.
func (r *Registry) checkLimits() engine.Finding {
	f := engine.Finding{Check: "limits"}
	services, nodes := r.store.Counts()
	r.mu.Lock()
	ref := r.refused
	byHost := make([]string, 0, len(ref.byHost))
	for h, n := range ref.byHost {
		byHost = append(byHost, fmt.Sprintf("%s (%d)", h, n))
	}
	r.mu.Unlock()
	slices.Sort(byHost)
	f.Finding = fmt.Sprintf("the cache holds %d services and %d nodes; at most %d nodes per host", services, nodes, r.maxPerHost)
	if ref.total == 0 && ref.view == 0 {
		f.Finding += "; nothing refused"
		return f
	}
	f.Status = engine.StatusWarn
	if ref.total > 0 {
		f.Finding += fmt.Sprintf("; refused %d nodes of hosts over the limit: %s", ref.total, strings.Join(byHost, ", "))
	}
	if ref.view > 0 {
		f.Finding += fmt.Sprintf("; refused %d nodes over the view's limits, the last: %s", ref.view, ref.lastView)
	}
	f.Fix = "a host announcing without end is a bug or an attack (mdns.Keys keeps hosts without the key out); if the LAN is really this large, raise mdns.MaxNodesPerHost, registry.MaxServices or MaxNodes"
	return f
}
