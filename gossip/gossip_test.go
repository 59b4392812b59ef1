package gossip_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"go-micro.dev/v4/logger"
	"go.uber.org/goleak"

	"github.com/microreg/microreg/gossip"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

func TestMain(m *testing.M) {
	// go-micro's default logger prints to os.Stdout, which the testing
	// package swaps while an Example runs; nodes log to stderr instead.
	logger.DefaultLogger = stderrLogger{}
	goleak.VerifyTestMain(m, append(registrytest.GoMicroGoroutines(), goleak.IgnoreCurrent())...)
}

// stderrLogger is a go-micro logger that writes every line to stderr.
type stderrLogger struct{}

func (stderrLogger) Init(...logger.Option) error                   { return nil }
func (stderrLogger) Options() logger.Options                       { return logger.Options{} }
func (l stderrLogger) Fields(map[string]interface{}) logger.Logger { return l }
func (stderrLogger) String() string                                { return "stderr" }
func (l stderrLogger) Log(level logger.Level, v ...interface{}) {
	l.Logf(level, "%s", fmt.Sprint(v...))
}
func (stderrLogger) Logf(level logger.Level, f string, v ...interface{}) {
	fmt.Fprintf(os.Stderr, level.String()+" "+f+"\n", v...)
}

// node starts a gossip node on a free loopback port, joining seeds, and
// closes it when the test ends.
func node(t testing.TB, seeds []string, opts ...registry.Option) *gossip.Registry {
	t.Helper()
	opts = append([]registry.Option{gossip.BindAddress("127.0.0.1", 0), registry.Addrs(seeds...)}, opts...)
	r, err := gossip.New(opts...)
	if err != nil {
		t.Fatalf("gossip.New: %v", err)
	}
	t.Cleanup(func() { registry.Close(r) })
	return r
}

func addr(t testing.TB, r *gossip.Registry) string {
	t.Helper()
	a, ok := r.LocalAddr()
	if !ok {
		t.Fatal("no local address")
	}
	return a
}

// TestConformance runs the suite on a cluster: a seed node, and every
// instance the suite asks for is another member joined through it, so the
// registering and the reading node are always different members.
func TestConformance(t *testing.T) {
	registrytest.Run(t, cluster)
}

// TestSoak churns under watchers (MICROREG_SOAK=60s for the long run).
func TestSoak(t *testing.T) {
	registrytest.Soak(t, cluster, registrytest.SoakConfig{})
}

// cluster is a world of a seed node and every instance another member
// joined through it.
func cluster(t *testing.T) *registrytest.World {
	seed, err := gossip.New(gossip.BindAddress("127.0.0.1", 0))
	if err != nil {
		t.Fatal(err)
	}
	seeds := []string{addr(t, seed)}
	return &registrytest.World{
		Close: func() { registry.Close(seed) },
		Name:  gossip.Name,
		TTL:   time.Second,
		Ops:   1000,
		New: func(t *testing.T) registry.Registry {
			r, err := gossip.New(gossip.BindAddress("127.0.0.1", 0), registry.Addrs(seeds...))
			if err != nil {
				t.Fatal(err)
			}
			return r
		},
	}
}
