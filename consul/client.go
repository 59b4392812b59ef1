package consul

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/registry"
)

// Errors a caller can check with errors.Is.
var (
	// ErrUnavailable wraps every error that means Consul cannot answer
	// now: no agent reachable, a timeout, too many connections (429), no
	// cluster leader or another server error (5xx).
	ErrUnavailable = errors.New("consul: unavailable")
	// ErrPermissionDenied wraps an ACL refusal (HTTP 403).
	ErrPermissionDenied = errors.New("consul: permission denied")
	// ErrConfig wraps a configuration Consul's client rejects.
	ErrConfig = errors.New("consul: bad configuration")
)

// agents is the set of agents a registry talks to, with failover: a call
// that cannot reach the current agent moves on to the next.
type agents struct {
	mu        sync.Mutex
	clients   []*api.Client
	cur       int
	transport *http.Transport
	query     api.QueryOptions
}

func newAgents(o registry.Options) (*agents, error) {
	base := api.DefaultConfig()
	if c, ok := registry.ContextValue[*api.Config](o, configKey{}); ok && c != nil {
		cp := *c
		base = &cp
	}
	if t, ok := registry.ContextValue[string](o, tokenKey{}); ok {
		base.Token = t
	}
	if dc, ok := registry.ContextValue[string](o, dcKey{}); ok {
		base.Datacenter = dc
	}
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: maxConnsPerAgent,
		IdleConnTimeout:     90 * time.Second,
	}
	if o.TLSConfig != nil || o.Secure || base.Scheme == "https" {
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if o.TLSConfig != nil {
			tc = o.TLSConfig.Clone()
		}
		if skip, _ := registry.ContextValue[bool](o, insecureKey{}); skip {
			tc.InsecureSkipVerify = true
		}
		tr.TLSClientConfig = tc
		base.Scheme = "https"
	}
	addrs := o.Addrs
	if len(addrs) == 0 {
		addrs = []string{base.Address}
	}
	a := &agents{transport: tr}
	for _, addr := range addrs {
		cfg := *base
		cfg.Address = addr
		if u, err := url.Parse(addr); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			cfg.Address, cfg.Scheme = u.Host, u.Scheme
		}
		cfg.HttpClient = &http.Client{Transport: tr}
		c, err := api.NewClient(&cfg)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrConfig, err)
		}
		a.clients = append(a.clients, c)
	}
	// Reads go to the leader unless AllowStale; one that fails for want of
	// a leader is asked again of any server (see noLeader).
	stale, _ := registry.ContextValue[bool](o, staleKey{})
	consistent, _ := registry.ContextValue[bool](o, consistentKey{})
	a.query.AllowStale = stale && !consistent
	a.query.RequireConsistent = consistent
	return a, nil
}

// do runs call against the current agent, moving on to the next ones
// while they cannot be reached. Errors are wrapped: ErrUnavailable,
// ErrPermissionDenied, or the agent's own.
func (a *agents) do(ctx context.Context, call func(*api.Client) error) error {
	a.mu.Lock()
	start, n := a.cur, len(a.clients)
	a.mu.Unlock()
	var err error
	for i := 0; i < n; i++ {
		idx := (start + i) % n
		err = call(a.clients[idx])
		if err == nil || !unreachable(err) || ctx.Err() != nil {
			if err == nil && idx != start {
				a.mu.Lock()
				a.cur = idx
				a.mu.Unlock()
			}
			return classify(err)
		}
	}
	return classify(err)
}

func unreachable(err error) bool {
	var se api.StatusError
	if errors.As(err, &se) {
		return false
	}
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, context.DeadlineExceeded)
}

func classify(err error) error {
	if err == nil {
		return nil
	}
	switch {
	case statusCode(err) == http.StatusForbidden:
		return fmt.Errorf("%w: %w", ErrPermissionDenied, err)
	case errors.Is(err, context.Canceled):
		return err
	case unreachable(err) || busy(err):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return fmt.Errorf("consul: %w", err)
}

// statusCode is the HTTP status of an agent's error answer, 0 if err is
// not one.
func statusCode(err error) int {
	var se api.StatusError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// busy reports an agent's answer that means it cannot serve now: too many
// connections from this address (429) or a server error (5xx: no cluster
// leader, a timeout inside the cluster).
func busy(err error) bool {
	code := statusCode(err)
	return code == http.StatusTooManyRequests || code >= 500
}

// noLeader reports an answer meaning the cluster has no leader now.
func noLeader(err error) bool {
	var se api.StatusError
	return errors.As(err, &se) && strings.Contains(se.Body, "No cluster leader")
}

// read runs a read through do; if it fails for want of a leader, and
// reads are not required to be consistent, it is asked again of any
// server (a stale read), so lookups go on answering through an election.
func (a *agents) read(ctx context.Context, call func(*api.Client, *api.QueryOptions) error) error {
	err := a.do(ctx, func(cl *api.Client) error { return call(cl, a.q(ctx)) })
	if err == nil || !noLeader(err) || a.query.RequireConsistent || a.query.AllowStale {
		return err
	}
	return a.do(ctx, func(cl *api.Client) error {
		q := a.q(ctx)
		q.AllowStale = true
		return call(cl, q)
	})
}

// q returns query options carrying ctx and the read consistency chosen.
func (a *agents) q(ctx context.Context) *api.QueryOptions {
	q := a.query
	return q.WithContext(ctx)
}

func (a *agents) close() { a.transport.CloseIdleConnections() }
