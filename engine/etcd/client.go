package etcd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/status"

	"github.com/microreg/microreg/engine"
)

// Errors a caller can check with errors.Is.
var (
	// ErrUnavailable wraps every error that means etcd cannot answer now:
	// no endpoint reachable, a timeout, no leader, too many requests.
	ErrUnavailable = errors.New("etcd: unavailable")
	// ErrPermissionDenied wraps a refusal of etcd's access control: a
	// wrong user or password, or a role without the prefix's keys.
	ErrPermissionDenied = errors.New("etcd: permission denied")
	// ErrConfig wraps a configuration the registry cannot use.
	ErrConfig = errors.New("etcd: bad configuration")
	// ErrKeyTaken is wrapped by Register's error for a node whose key
	// holds another service's or node's registration: go-micro's layout
	// makes "/" in names "-", so "a/b" and "a-b" share keys.
	ErrKeyTaken = errors.New("etcd: key holds another registration")
)

// classify wraps err from etcd with what it means.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	for _, e := range []error{rpctypes.ErrPermissionDenied, rpctypes.ErrAuthFailed, rpctypes.ErrUserEmpty,
		rpctypes.ErrInvalidAuthToken, rpctypes.ErrInvalidAuthMgmt} {
		if errors.Is(err, e) {
			return fmt.Errorf("etcd: %s: %w: %w", op, ErrPermissionDenied, err)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrUnavailable) {
		return fmt.Errorf("etcd: %s: %w: %w", op, ErrUnavailable, err)
	}
	code := status.Code(err)
	var ee rpctypes.EtcdError
	if errors.As(err, &ee) {
		code = ee.Code()
	}
	switch code {
	case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted, codes.Aborted:
		return fmt.Errorf("etcd: %s: %w: %w", op, ErrUnavailable, err)
	case codes.PermissionDenied, codes.Unauthenticated:
		return fmt.Errorf("etcd: %s: %w: %w", op, ErrPermissionDenied, err)
	}
	for _, e := range []error{rpctypes.ErrNoLeader, rpctypes.ErrTimeout, rpctypes.ErrTimeoutDueToLeaderFail,
		rpctypes.ErrTimeoutDueToConnectionLost, rpctypes.ErrLeaderChanged, rpctypes.ErrTooManyRequests, rpctypes.ErrNotCapable} {
		if errors.Is(err, e) {
			return fmt.Errorf("etcd: %s: %w: %w", op, ErrUnavailable, err)
		}
	}
	return fmt.Errorf("etcd: %s: %w", op, err)
}

// endpoints are the addresses asked: engine.Addrs, else ETCD_ENDPOINTS
// (comma-separated), else MICRO_REGISTRY_ADDRESS, else DefaultEndpoint. An
// address without a port gets 2379, as go-micro's etcd registries give.
func endpoints(addrs []string) []string {
	if len(addrs) == 0 {
		for _, env := range []string{"ETCD_ENDPOINTS", "MICRO_REGISTRY_ADDRESS"} {
			if v := os.Getenv(env); v != "" {
				addrs = strings.Split(v, ",")
				break
			}
		}
	}
	var out []string
	for _, a := range addrs {
		a = strings.TrimSpace(a)
		switch {
		case a == "":
			continue
		case strings.Contains(a, "://"):
			out = append(out, a)
		default:
			if _, _, err := net.SplitHostPort(a); err != nil {
				a = net.JoinHostPort(strings.Trim(a, "[]"), "2379")
			}
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		out = []string{DefaultEndpoint}
	}
	return out
}

// clientConfig is the clientv3 configuration o asks for.
func clientConfig(o engine.Options) (clientv3.Config, error) {
	cfg, _ := engine.ContextValue[clientv3.Config](o, configKey{})
	if len(o.Addrs) > 0 || len(cfg.Endpoints) == 0 {
		cfg.Endpoints = endpoints(o.Addrs)
	}
	if c, ok := engine.ContextValue[credentials](o, authKey{}); ok {
		if c.user == "" || c.password == "" {
			return cfg, fmt.Errorf("%w: etcd.Auth needs a user and a password", ErrConfig)
		}
		cfg.Username, cfg.Password = c.user, c.password
	} else if u, p := os.Getenv("ETCD_USERNAME"), os.Getenv("ETCD_PASSWORD"); cfg.Username == "" && u != "" && p != "" {
		cfg.Username, cfg.Password = u, p
	}
	insecure, _ := engine.ContextValue[bool](o, insecureKey{})
	switch {
	case o.TLSConfig != nil:
		cfg.TLS = o.TLSConfig.Clone()
	case o.Secure || insecure:
		if cfg.TLS == nil {
			cfg.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
		}
	}
	if insecure && cfg.TLS != nil {
		cfg.TLS = cfg.TLS.Clone()
		cfg.TLS.InsecureSkipVerify = true
	}
	if cfg.Logger == nil && cfg.LogConfig == nil {
		cfg.Logger = zap.NewNop() // what matters is logged by the registry
	}
	if cfg.DialKeepAliveTime == 0 {
		// A dead connection is noticed in seconds, not at the OS's TCP
		// timeout: the view and the lease move to another endpoint.
		cfg.DialKeepAliveTime, cfg.DialKeepAliveTimeout = 5*time.Second, 3*time.Second
	}
	return cfg, nil
}

// conn is the registry's one etcd client. It is made in the background:
// with credentials, clientv3.New authenticates before returning, and with
// no endpoint reachable it would wait for ever (go-micro issue 2144), so
// every call waits for it only as long as its own timeout.
type conn struct {
	ready chan struct{} // closed once cli is set
	cli   *clientv3.Client

	// ctx is the client's: it ends at close, after the registry's own
	// goroutines, so that Close can still revoke the lease.
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	cfg     clientv3.Config
	lastErr error // why the last attempt failed
}

func newConn(cfg clientv3.Config) *conn {
	c := &conn{ready: make(chan struct{}), cfg: cfg}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c
}

// needsDial says whether making the client talks to etcd (it
// authenticates), so that it must be made in the background by dial.
func (c *conn) needsDial() bool { return c.cfg.Username != "" }

// make makes a client that does not talk to etcd before its first call.
func (c *conn) make(timeout time.Duration) error {
	cfg := c.cfg
	cfg.Context, cfg.DialTimeout = c.ctx, timeout
	cli, err := clientv3.New(cfg)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	c.cli = cli
	close(c.ready)
	return nil
}

// dial makes the client, again and again until it is made or ctx ends.
func (c *conn) dial(ctx context.Context, timeout time.Duration, log func(error)) {
	backoff := 100 * time.Millisecond
	for {
		c.mu.Lock()
		cfg := c.cfg
		c.mu.Unlock()
		cfg.Context = c.ctx
		cfg.DialTimeout = timeout
		cli, err := clientv3.New(cfg)
		if err == nil {
			c.mu.Lock()
			c.cli = cli
			eps := c.cfg.Endpoints
			c.mu.Unlock()
			if !slices.Equal(eps, cfg.Endpoints) { // an Init while it was being made
				built(cli)
				cli.SetEndpoints(eps...)
			}
			close(c.ready)
			return
		}
		c.mu.Lock()
		c.lastErr = err
		c.mu.Unlock()
		log(err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// made is the client if it has been made, without waiting.
func (c *conn) made() *clientv3.Client {
	select {
	case <-c.ready:
		return c.cli
	default:
		return nil
	}
}

// client waits for the client as long as ctx lets it.
func (c *conn) client(ctx context.Context) (*clientv3.Client, error) {
	select {
	case <-c.ready:
		return c.cli, nil
	default:
	}
	select {
	case <-c.ready:
		return c.cli, nil
	case <-ctx.Done():
		c.mu.Lock()
		err := c.lastErr
		c.mu.Unlock()
		if err == nil {
			err = ctx.Err()
		}
		return nil, classify("connect", err)
	}
}

// setEndpoints moves the client to eps.
func (c *conn) setEndpoints(eps []string) {
	c.mu.Lock()
	c.cfg.Endpoints = eps
	cli := c.cli
	c.mu.Unlock()
	if cli != nil {
		built(cli)
		cli.SetEndpoints(eps...)
	}
}

// built waits (a second at most) until the client's gRPC connection has
// left its idle state, which it does after building clientv3's resolver:
// clientv3's SetEndpoints races with that build (the race detector shows
// it when Init follows New at once, before any call).
func built(cli *clientv3.Client) {
	cc := cli.ActiveConnection()
	cc.Connect()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for s := cc.GetState(); s == connectivity.Idle; s = cc.GetState() {
		if !cc.WaitForStateChange(ctx, s) {
			return
		}
	}
}

// close closes the client, if it was made.
func (c *conn) close() {
	c.cancel()
	c.mu.Lock()
	cli := c.cli
	c.mu.Unlock()
	if cli != nil {
		_ = cli.Close()
	}
}
