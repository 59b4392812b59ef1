package gossip

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/microreg/microreg/engine"
)

// joinAttempt is one join of members and how it went.
type joinAttempt struct {
	addrs  []string
	joined int
	err    error
	at     time.Time
}

// noteJoin records a join for Diagnose.
func (g *Registry) noteJoin(addrs []string, joined int, err error) {
	g.mu.Lock()
	g.lastJoin = joinAttempt{addrs: append([]string(nil), addrs...), joined: joined, err: err, at: time.Now()}
	g.mu.Unlock()
}

// refusal reports a memberlist log line about a member this node cannot
// talk to because of a key or a cluster name (label).
func refusal(line []byte) bool {
	for _, sign := range []string{"decrypt", "encryption", "label", "No installed keys"} {
		if bytes.Contains(line, []byte(sign)) {
			return true
		}
	}
	return false
}

// Diagnose checks, in the terms of a gossip cluster, why service is or is
// not found (see engine.Diagnose, which adds the checks every backend
// shares): this node started; the members it sees alive, suspect and
// failed; whether it could join the members given; signs of another key or
// cluster name; and with a service, which member registered each node.
func (g *Registry) Diagnose(ctx context.Context, service string) []engine.Finding {
	node := g.checkNode()
	if node.Status == engine.StatusFail {
		return []engine.Finding{node}
	}
	g.mu.Lock()
	ml, join, seeds := g.ml, g.lastJoin, g.seeds
	g.mu.Unlock()
	members := ml.Members()
	out := []engine.Finding{node, g.checkExposure(), g.checkMembers(members, seeds, join), g.checkIsolation(join), g.checkLimits()}
	if service != "" {
		out = append(out, g.checkOwners(service, members))
	}
	return out
}

// checkNode reports whether the node runs, where, and how it is set up.
func (g *Registry) checkNode() engine.Finding {
	f := engine.Finding{Check: "node"}
	if err := g.ready(); err != nil {
		f.Status, f.Finding = engine.StatusFail, err.Error()
		f.Fix = "free the port, or bind another with gossip.BindAddress; keys must be 16, 24 or 32 bytes"
		return f
	}
	addr, _ := g.LocalAddr()
	g.mu.Lock()
	name, label, encrypted := g.name, g.label, g.keyring != nil
	g.mu.Unlock()
	f.Finding = fmt.Sprintf("node %s listens on %s; cluster name %q, encryption %s", name, addr, label, onOff(encrypted))
	return f
}

// checkExposure says who can join the cluster through this node: its bind
// address, whether other hosts reach it, its keys (by KeyID, never the
// keys) and its cluster name.
func (g *Registry) checkExposure() engine.Finding {
	f := engine.Finding{Check: "exposure"}
	g.mu.Lock()
	host, label, kr := g.bind, g.label, g.keyring
	g.mu.Unlock()
	bind := host
	if addr, ok := g.LocalAddr(); ok {
		if _, port, err := net.SplitHostPort(addr); err == nil {
			bind = net.JoinHostPort(host, port)
		}
	}
	name := "no cluster name"
	if label != "" {
		name = fmt.Sprintf("cluster name %q", label)
	}
	var ids []string
	if kr != nil {
		for _, k := range kr.GetKeys() {
			ids = append(ids, engine.KeyID(k))
		}
		if primary := kr.GetPrimaryKey(); primary != nil {
			ids[0] = engine.KeyID(primary) + " (sends)"
			n := 1
			for _, k := range kr.GetKeys() {
				if !bytes.Equal(k, primary) {
					ids[n] = engine.KeyID(k)
					n++
				}
			}
		}
	}
	switch {
	case host == "":
		f.Finding = "a custom memberlist Transport: it binds where it does; " + name
	case !reachable(host):
		f.Finding = fmt.Sprintf("listens on %s, loopback: only processes on this host can join; %s", bind, name)
	case kr != nil:
		f.Finding = fmt.Sprintf("listens on %s, which other hosts can reach; gossip encrypted, keys %s; %s", bind, strings.Join(ids, ", "), name)
	default:
		f.Status = engine.StatusWarn
		f.Finding = fmt.Sprintf("listens on %s, which other hosts can reach, with no key (gossip.InsecureOpenCluster): any process that reaches it can join and register any service; %s", bind, name)
		f.Fix = "give every member a key: `microreg keygen`, then gossip.SecretKey or " + engine.EnvKey + " (rotate with gossip.SecretKeys)"
	}
	return f
}

// checkMembers counts the members seen alive, suspect and failed; a node
// alone says why.
func (g *Registry) checkMembers(members []*memberlist.Node, seeds []string, join joinAttempt) engine.Finding {
	f := engine.Finding{Check: "members"}
	alive, suspect := 0, 0
	var suspects []string
	for _, m := range members {
		if m.State == memberlist.StateSuspect {
			suspect++
			suspects = append(suspects, m.Name)
		} else {
			alive++
		}
	}
	g.mu.Lock()
	failed := len(g.failed)
	g.mu.Unlock()
	f.Finding = fmt.Sprintf("%d members: %d alive, %d suspect, %d failed (being reconnected)", alive+suspect, alive, suspect, failed)
	switch {
	case alive+suspect <= 1 && len(seeds) == 0:
		f.Status = engine.StatusFail
		f.Finding = "this node is alone and was given no member to join"
		f.Fix = "name a member with --registry_address (engine.Addrs); processes on one host find each other on 127.0.0.1:7946 only with no BindAddress"
	case alive+suspect <= 1:
		f.Status = engine.StatusFail
		f.Finding = fmt.Sprintf("this node is alone: joining %s failed", strings.Join(seeds, ", "))
		if join.err != nil {
			f.Finding += fmt.Sprintf(" (%v)", join.err)
		}
		f.Fix = "check that a member listens there (its LocalAddr) and that nothing blocks TCP and UDP to it"
	case suspect > 0:
		f.Status = engine.StatusWarn
		sort.Strings(suspects)
		f.Fix = "suspect members (" + strings.Join(suspects, ", ") + ") are declared dead soon unless they answer; their services go with them"
	}
	return f
}

// checkIsolation looks for signs of members with another key or cluster
// name: a join refused, or log lines of packets this node could not read.
func (g *Registry) checkIsolation(join joinAttempt) engine.Finding {
	f := engine.Finding{Check: "isolation"}
	n := g.refusals.Load()
	switch {
	case join.err != nil && join.joined == 0 && rejected(join.err):
		f.Status = engine.StatusFail
		f.Finding = fmt.Sprintf("the members at %s refused this node: %v", strings.Join(join.addrs, ", "), join.err)
	case n > 0:
		f.Status = engine.StatusWarn
		f.Finding = fmt.Sprintf("memberlist logged %d messages it could not read (another key or cluster name nearby)", n)
	default:
		f.Finding = "no member refused this node and no message failed to decrypt"
		return f
	}
	f.Fix = "every member needs the same gossip.ClusterName and a key in common (gossip.SecretKeys; rotate by adding the new key everywhere first)"
	return f
}

// checkOwners names the member that registered each node of service and
// whether it is still a member.
func (g *Registry) checkOwners(service string, members []*memberlist.Node) engine.Finding {
	f := engine.Finding{Check: "owners"}
	live := map[string]bool{}
	for _, m := range members {
		live[m.Name] = true
	}
	g.mu.Lock()
	var owned []string
	for k, e := range g.entries {
		if k.name != service || e.u.Op != opRegister {
			continue
		}
		state := "alive"
		if !live[k.origin] {
			state = "not a member now"
		}
		owned = append(owned, fmt.Sprintf("%s (version %s) from %s, %s", k.id, k.version, k.origin, state))
	}
	g.mu.Unlock()
	sort.Strings(owned)
	if len(owned) == 0 {
		f.Status = engine.StatusWarn
		f.Finding = "no member's registrations of " + service + " have reached this node"
		f.Fix = "the owner may not be in this cluster (see members and isolation), or has not registered it yet"
		return f
	}
	f.Finding = strings.Join(owned, "; ")
	return f
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
