package mdns

import (
	"net"
	"time"

	"github.com/microreg/microreg/engine"
)

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
	if r.refused.Peer(host) {
		r.logf("mdns: host %s announces more than %d nodes (its node of %s and any more are refused here; logged once; mdns.MaxNodesPerHost raises it)", host, r.maxPerHost, service)
	}
}

// refuseView counts a node refused by the view's limits, and logs the
// first.
func (r *Registry) refuseView(host string, err error) {
	if r.refused.View("host "+host, err) {
		r.logf("mdns: a node of host %s is refused: %v (logged once; registry.MaxServices and MaxNodes raise the limits)", host, err)
	}
}

// checkLimits reports the limits and what was refused for them.
func (r *Registry) checkLimits() engine.Finding {
	services, nodes := r.store.Counts()
	return r.refused.Finding(services, nodes, r.maxPerHost, "host",
		"a host announcing without end is a bug or an attack (mdns.Keys keeps hosts without the key out); if the LAN is really this large, raise mdns.MaxNodesPerHost, registry.MaxServices or MaxNodes")
}
