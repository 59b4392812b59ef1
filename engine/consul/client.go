package consul

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/engine"
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
	addrs     []string // the address of each client, as given
	cur       int
	transport *http.Transport
	query     api.QueryOptions
	// staleUntil (unix ns): reads go stale at once until then (read).
	staleUntil atomic.Int64
}

func newAgents(o engine.Options) (*agents, error) {
	if err := engine.CheckOptions(o, Name); err != nil {
		return nil, err
	}
	if n, ok := engine.ContextValue[int](o, viewQueriesKey{}); ok && n < 0 {
		return nil, fmt.Errorf("%w: ViewQueries(%d): want 0 or more", ErrConfig, n)
	}
	base := api.DefaultConfig()
	if c, ok := engine.ContextValue[*api.Config](o, configKey{}); ok && c != nil {
		cp := *c
		base = &cp
	}
	if t, ok := engine.ContextValue[string](o, tokenKey{}); ok {
		base.Token = t
	}
	if dc, ok := engine.ContextValue[string](o, dcKey{}); ok {
		base.Datacenter = dc
	}
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: maxIdlePerAgent,
		IdleConnTimeout:     90 * time.Second,
	}
	if o.TLSConfig != nil || o.Secure || base.Scheme == "https" {
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if o.TLSConfig != nil {
			tc = o.TLSConfig.Clone()
		}
		if skip, _ := engine.ContextValue[bool](o, insecureKey{}); skip {
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
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
		a.clients = append(a.clients, c)
		a.addrs = append(a.addrs, cfg.Scheme+"://"+cfg.Address)
	}
	// Reads go to the leader unless ReadMode says otherwise; one that fails for want of
	// a leader is asked again of any server (see noLeader).
	mode, _ := engine.ContextValue[Read](o, readKey{})
	a.query.AllowStale = mode == ReadStale
	a.query.RequireConsistent = mode == ReadConsistent
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

// read runs a read through do. Unless reads are required to be
// consistent (or always stale), it goes to the leader first; if that
// fails because the servers cannot serve it (no leader, a server error
// such as an RPC to a dead server, or no answer within half the time
// left) it is asked again of any server (a stale read), and reads go
// stale at once for the next staleFor, so lookups go on answering through
// an election or a lost quorum instead of waiting for the leader each
// time.
func (a *agents) read(ctx context.Context, call func(*api.Client, *api.QueryOptions) error) error {
	if a.query.RequireConsistent || a.query.AllowStale {
		return a.do(ctx, func(cl *api.Client) error { return call(cl, a.q(ctx)) })
	}
	if time.Now().UnixNano() < a.staleUntil.Load() {
		return a.staleRead(ctx, call)
	}
	first := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		first, cancel = context.WithDeadline(ctx, time.Now().Add(time.Until(dl)/2))
		defer cancel()
	}
	err := a.do(first, func(cl *api.Client) error { return call(cl, a.q(first)) })
	if err == nil || ctx.Err() != nil || !(noLeader(err) || serverError(err) || first.Err() != nil) {
		return err
	}
	a.staleUntil.Store(time.Now().Add(staleFor).UnixNano())
	return a.staleRead(ctx, call)
}

// readFresh is read for a reading that follows a change seen on the
// leader (shared change detection): it goes to the leader, and to any
// server only when the leader read fails, never stale at once, so that it
// cannot read a follower that has not yet applied the change it was
// told of (and then miss it until the next one).
func (a *agents) readFresh(ctx context.Context, call func(*api.Client, *api.QueryOptions) error) error {
	err := a.do(ctx, func(cl *api.Client) error { return call(cl, a.q(ctx)) })
	if err == nil || ctx.Err() != nil || a.query.RequireConsistent || a.query.AllowStale || !(noLeader(err) || serverError(err)) {
		return err
	}
	return a.staleRead(ctx, call)
}

// staleFor is how long reads go stale at once after a leader read failed
// for want of a leader.
const staleFor = 10 * time.Second

// staleRead runs a read that any server may answer (stale).
func (a *agents) staleRead(ctx context.Context, call func(*api.Client, *api.QueryOptions) error) error {
	return a.do(ctx, func(cl *api.Client) error {
		q := a.q(ctx)
		q.AllowStale = true
		return call(cl, q)
	})
}

// serverError reports whether err is a 5xx answer: the agent is up, but
// its servers could not serve the call.
func serverError(err error) bool {
	var se api.StatusError
	return errors.As(err, &se) && se.Code >= 500
}

// q returns query options carrying ctx and the read consistency chosen.
func (a *agents) q(ctx context.Context) *api.QueryOptions {
	q := a.query
	return q.WithContext(ctx)
}

func (a *agents) close() { a.transport.CloseIdleConnections() }

// current returns the client calls go to now, and its address.
func (a *agents) current() (*api.Client, string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.clients[a.cur], a.addrs[a.cur]
}

// backoff waits between failed queries, with jitter so that a registry's
// loops do not retry in step: while the agent refuses connections (it is
// down or restarting) at most 1 s, so that views are current within a
// second of its return; while it answers but cannot serve (429, 5xx) up to
// 10 s, so a busy agent is not hammered.
// down, if set, replaces the 1 s ceiling while the agent refuses
// connections.
type backoff struct{ d, down time.Duration }

func (b *backoff) reset() { b.d = 0 }

func (b *backoff) wait(ctx context.Context, err error) bool {
	ceiling := time.Second
	if b.down > 0 {
		ceiling = b.down
	}
	if busy(err) {
		ceiling = 10 * time.Second
	}
	b.d = min(max(b.d*2, 100*time.Millisecond), ceiling)
	t := time.NewTimer(b.d/2 + rand.N(b.d/2))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// logf logs a warning on the registry's logger.
func (c *Registry) logf(format string, args ...any) {
	if l := c.Options().Logger; l != nil {
		l.Logf(engine.WarnLevel, format, args...)
	}
}
