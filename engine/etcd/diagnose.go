package etcd

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/microreg/microreg/engine"
)

// Diagnose reports the registry's own checks (see engine.Diagnoser):
// endpoint, cluster, leader, auth, lease and, for a service, its keys.
func (c *Registry) Diagnose(ctx context.Context, service string) []engine.Finding {
	cctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	cli, err := c.clientOf(cctx)
	if err != nil {
		return []engine.Finding{{Check: "endpoint", Status: engine.StatusFail, Finding: err.Error(),
			Fix: "start etcd, or name it with --registry_address, MICRO_REGISTRY_ADDRESS or ETCD_ENDPOINTS (e.g. 127.0.0.1:2379); check etcd.Auth, ETCD_USERNAME and ETCD_PASSWORD"}}
	}
	var out []engine.Finding
	var status *clientv3.StatusResponse
	var answered []string
	for _, ep := range cli.Endpoints() {
		sctx, cancel := context.WithTimeout(ctx, c.timeout())
		st, err := cli.Status(sctx, ep)
		cancel()
		if err == nil {
			answered = append(answered, ep)
			if status == nil {
				status = st
			}
		}
	}
	if status == nil {
		return append(out, engine.Finding{Check: "endpoint", Status: engine.StatusFail,
			Finding: fmt.Sprintf("no endpoint answers: %s", strings.Join(cli.Endpoints(), ", ")),
			Fix:     "start etcd, or name it with --registry_address, MICRO_REGISTRY_ADDRESS or ETCD_ENDPOINTS"})
	}
	out = append(out, engine.Finding{Check: "endpoint", Status: engine.StatusOK,
		Finding: fmt.Sprintf("%s answers: etcd %s, %d of %d endpoints", answered[0], status.Version, len(answered), len(cli.Endpoints()))})
	out = append(out, c.checkCluster(ctx, cli))
	if status.Leader == 0 {
		out = append(out, engine.Finding{Check: "leader", Status: engine.StatusFail, Finding: "the cluster has no leader",
			Fix: "a majority of the members must run and reach each other: see etcdctl endpoint status --cluster"})
		return out
	}
	out = append(out, engine.Finding{Check: "leader", Status: engine.StatusOK, Finding: fmt.Sprintf("member %x leads, raft term %d", status.Leader, status.RaftTerm)})
	out = append(out, c.checkAuth(ctx, cli))
	out = append(out, c.checkLease(ctx, cli))
	out = append(out, c.checkView())
	if service != "" {
		out = append(out, c.checkService(ctx, cli, service))
	}
	return out
}

// checkCluster counts the members that answer.
func (c *Registry) checkCluster(ctx context.Context, cli *clientv3.Client) engine.Finding {
	mctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	list, err := cli.MemberList(mctx)
	if err != nil {
		return engine.Finding{Check: "cluster", Status: engine.StatusWarn, Finding: "member list: " + classify("member list", err).Error(),
			Fix: "see etcdctl member list"}
	}
	up := 0
	var down []string
	for _, m := range list.Members {
		ok := false
		for _, u := range m.ClientURLs {
			sctx, cancel := context.WithTimeout(ctx, c.timeout())
			_, err := cli.Status(sctx, u)
			cancel()
			if err == nil {
				ok = true
				break
			}
		}
		if ok {
			up++
		} else {
			down = append(down, m.Name)
		}
	}
	n := len(list.Members)
	switch {
	case up == n:
		return engine.Finding{Check: "cluster", Status: engine.StatusOK, Finding: fmt.Sprintf("%d of %d members answer", up, n)}
	case up > n/2:
		return engine.Finding{Check: "cluster", Status: engine.StatusWarn, Finding: fmt.Sprintf("%d of %d members answer; not %s", up, n, strings.Join(down, ", ")),
			Fix: "the cluster has a majority but one more failure loses it: restart the members that do not answer (etcdctl endpoint health --cluster)"}
	}
	return engine.Finding{Check: "cluster", Status: engine.StatusFail, Finding: fmt.Sprintf("%d of %d members answer: no majority", up, n),
		Fix: "start the members that do not answer (etcdctl endpoint health --cluster)"}
}

// checkAuth says whether the registry may read and write its prefix, and
// warns of an etcd that anyone who reaches it may write.
func (c *Registry) checkAuth(ctx context.Context, cli *clientv3.Client) engine.Finding {
	actx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	_, err := cli.Get(actx, c.prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	user := cli.Username
	if err != nil {
		return engine.Finding{Check: "auth", Status: engine.StatusFail, Finding: classify("read "+c.prefix, err).Error(),
			Fix: fmt.Sprintf("give the user's role the prefix: etcdctl role grant-permission ROLE readwrite --prefix=true %s (password from ETCD_PASSWORD or etcd.Auth, never logged)", c.prefix)}
	}
	st, err := cli.AuthStatus(actx)
	enabled := err == nil && st.Enabled
	switch {
	case enabled:
		return engine.Finding{Check: "auth", Status: engine.StatusOK, Finding: fmt.Sprintf("auth on; user %q reads %s", user, c.prefix)}
	case allLoopback(cli.Endpoints()):
		return engine.Finding{Check: "auth", Status: engine.StatusOK, Finding: "auth off, etcd on loopback only"}
	}
	return engine.Finding{Check: "auth", Status: engine.StatusWarn, Finding: "auth off: anyone who reaches etcd can register, and so redirect a service's traffic",
		Fix: "etcdctl user add root && etcdctl auth enable, then give each service a user (etcd.Auth, or ETCD_USERNAME/ETCD_PASSWORD) and TLS (registry.Secure)"}
}

func allLoopback(eps []string) bool {
	for _, ep := range eps {
		host := ep
		if u, err := url.Parse(ep); err == nil && u.Host != "" {
			host = u.Host
		}
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if ip := net.ParseIP(host); !(host == "localhost" || (ip != nil && ip.IsLoopback())) {
			return false
		}
	}
	return true
}

// checkLease reports the registry's lease and its TTL.
func (c *Registry) checkLease(ctx context.Context, cli *clientv3.Client) engine.Finding {
	c.mu.Lock()
	l, n := c.lease, len(c.mine)
	c.mu.Unlock()
	lost := c.leasesLost.Load()
	if l == nil {
		if n == 0 {
			return engine.Finding{Check: "lease", Status: engine.StatusOK, Finding: "this registry holds no node, so no lease"}
		}
		return engine.Finding{Check: "lease", Status: engine.StatusFail, Finding: fmt.Sprintf("%d node(s) and no lease: registering them again", n),
			Fix: "etcd must answer: see the endpoint and leader checks"}
	}
	lctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	ttl, err := cli.TimeToLive(lctx, l.id)
	if err != nil {
		return engine.Finding{Check: "lease", Status: engine.StatusWarn, Finding: classify("lease TTL", err).Error()}
	}
	if ttl.TTL <= 0 {
		return engine.Finding{Check: "lease", Status: engine.StatusFail, Finding: fmt.Sprintf("lease %x has expired; registering %d node(s) again", int64(l.id), n)}
	}
	return engine.Finding{Check: "lease", Status: engine.StatusOK,
		Finding: fmt.Sprintf("lease %x: TTL %d s, %d s left, %d node(s); %d lost and replaced since start", int64(l.id), ttl.GrantedTTL, ttl.TTL, n, lost)}
}

// checkService reads service's keys.
func (c *Registry) checkService(ctx context.Context, cli *clientv3.Client, service string) engine.Finding {
	gctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	dir := nodeKey(c.prefix, service, "x")
	dir = dir[:len(dir)-1]
	resp, err := cli.Get(gctx, dir, clientv3.WithPrefix())
	if err != nil {
		return engine.Finding{Check: "keys", Status: engine.StatusFail, Finding: classify("read "+dir, err).Error()}
	}
	nodes, bad, forever := 0, 0, 0
	for _, kv := range resp.Kvs {
		s, err := decodeNode(kv.Value)
		if err != nil || s.Name != service {
			if err != nil {
				bad++
			}
			continue
		}
		nodes += len(s.Nodes)
		if kv.Lease == 0 {
			forever++
		}
	}
	switch {
	case nodes == 0:
		return engine.Finding{Check: "keys", Status: engine.StatusFail, Finding: fmt.Sprintf("no key of %s under %s", service, dir),
			Fix: "is the service running with --registry=etcd, the same etcd and the same prefix? see etcdctl get --prefix " + dir}
	case forever > 0:
		return engine.Finding{Check: "keys", Status: engine.StatusWarn, Finding: fmt.Sprintf("%d node(s) under %s, %d with no lease: they never expire", nodes, dir, forever),
			Fix: "a node written without a lease (a go-micro etcd registry given no RegisterTTL) stays after its process dies: etcdctl del " + dir + "<node id>"}
	case bad > 0:
		return engine.Finding{Check: "keys", Status: engine.StatusWarn, Finding: fmt.Sprintf("%d node(s) under %s; %d key(s) hold no registration", nodes, dir, bad)}
	}
	return engine.Finding{Check: "keys", Status: engine.StatusOK, Finding: fmt.Sprintf("%d node(s) under %s, each on a lease", nodes, dir)}
}

// checkView reports the view: its revision, and how often it was listed
// again.
func (c *Registry) checkView() engine.Finding {
	v := c.view
	select {
	case <-v.ready:
	default:
		return engine.Finding{Check: "view", Status: engine.StatusWarn, Finding: "not listed yet",
			Fix: "the registry lists etcd at its first use: see the endpoint and auth checks"}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	f := engine.Finding{Check: "view", Status: engine.StatusOK,
		Finding: fmt.Sprintf("%d key(s) at revision %d; listed again %d time(s), %d after a compaction", len(v.keys), v.rev, v.relists, v.compacted)}
	if v.lastErr != nil {
		f.Status, f.Fix = engine.StatusWarn, "the last watch ended with: "+v.lastErr.Error()+"; the view lists etcd again and goes on"
	}
	return f
}
