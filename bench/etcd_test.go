package bench

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	plugin "github.com/go-micro/plugins/v4/registry/etcd"
	"go-micro.dev/v4/registry/cache"
	mregistry5 "go-micro.dev/v5/registry"
	etcd5 "go-micro.dev/v5/registry/etcd"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/microreg/microreg/etcd"
	"github.com/microreg/microreg/internal/etcdtest"
	registrytest5 "github.com/microreg/microreg/micro5/registry/registrytest"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

// etcdContenders build a registry on etcd at addr, with a user and
// password when given.
var etcdContenders = []struct {
	name string
	new  func(tb testing.TB, addr, user, pass string) registry.Registry
}{
	{"microreg", func(tb testing.TB, addr, user, pass string) registry.Registry {
		opts := []registry.Option{registry.Addrs(addr)}
		if user != "" {
			opts = append(opts, etcd.Auth(user, pass))
		}
		r := etcd.NewRegistry(opts...)
		tb.Cleanup(func() { registry.Close(r) })
		return r
	}},
	{"plugin", func(tb testing.TB, addr, user, pass string) registry.Registry {
		opts := []registry.Option{registry.Addrs(addr), plugin.LogConfig(quietClient())}
		if user != "" {
			opts = append(opts, plugin.Auth(user, pass))
		}
		r := plugin.NewRegistry(opts...)
		closeRival(tb, r)
		return r
	}},
	{"gomicro5", func(tb testing.TB, addr, user, pass string) registry.Registry {
		opts := []mregistry5.Option{mregistry5.Addrs(addr), etcd5.LogConfig(quietClient())}
		if user != "" {
			opts = append(opts, etcd5.Auth(user, pass))
		}
		r := etcd5.NewEtcdRegistry(opts...)
		closeRival(tb, r)
		return V5(r)
	}},
}

// quietClient is the rivals' etcd client logging errors only: its
// warnings (a keepalive that failed while etcd restarts, v5's keepalive
// queue full) would go into the results between their lines.
func quietClient() *zap.Config {
	c := zap.NewProductionConfig()
	c.Level = zap.NewAtomicLevelAt(zap.ErrorLevel)
	return &c
}

// closeRival closes a rival's etcd client when the benchmark ends: the
// rivals have no Close (their clients live as long as the process), and a
// benchmark that builds hundreds would hold hundreds of connections.
func closeRival(tb testing.TB, r any) {
	f := reflect.ValueOf(r).Elem().FieldByName("client")
	cli := *(**clientv3.Client)(unsafe.Pointer(f.UnsafeAddr()))
	tb.Cleanup(func() { _ = cli.Close() })
}

func etcdNode(name, id string, port int) *registry.Service {
	return &registry.Service{Name: name, Version: "1.0.0", Metadata: map[string]string{"team": "bench"},
		Endpoints: []*registry.Endpoint{{Name: "Say.Hello"}},
		Nodes:     []*registry.Node{{Id: id, Address: fmt.Sprintf("127.0.0.1:%d", port), Metadata: map[string]string{"protocol": "mucp"}}}}
}

// BenchmarkEtcdGetService: GetService of a 3-node service, each node
// registered by a registry of its own (three processes, as in a fleet).
func BenchmarkEtcdGetService(b *testing.B) {
	for k, c := range etcdContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			m := etcdtest.Start(b) // each its own: none runs on an etcd just started and the others on a settled one
			name := fmt.Sprintf("get%d", k)
			for i := range 3 {
				w := c.new(b, m.Addr, "", "")
				if err := w.Register(etcdNode(name, fmt.Sprintf("%s-%d", name, i), 9000+i), registry.RegisterTTL(time.Minute)); err != nil {
					b.Fatal(err)
				}
			}
			r := c.new(b, m.Addr, "", "")
			WatchedService(b, r, name, 3, 10*time.Second)
			GetService(b, r, []string{name}, 3)
		})
	}
}

// BenchmarkEtcdPropagation: a node deregistered through one registry,
// timed until a watcher of the service on another registry reports it
// gone (see Propagation).
func BenchmarkEtcdPropagation(b *testing.B) {
	for k, c := range etcdContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			m := etcdtest.Start(b) // each its own, as in BenchmarkEtcdGetService
			writer, reader := c.new(b, m.Addr, "", ""), c.new(b, m.Addr, "", "")
			name := fmt.Sprintf("prop%d", k)
			Propagation(b, writer, reader, etcdNode(name, name+"-stay", 9100), etcdNode(name, name+"-gone", 9101),
				10*time.Second, registry.RegisterTTL(time.Minute))
		})
	}
}

// BenchmarkEtcdRollingDeploy: every one of 10 instances of a service
// replaced one at a time, each instance a registry of its own (a
// process). A client looks the service up as a go-micro client does,
// through go-micro's registry cache over its own registry. Each op is one
// replacement: the new instance registered, then the old one stopped,
// either as on SIGTERM (Deregister, then the process ends: the registry is
// closed), as on SIGTERM right after etcd restarted (every watch ended),
// or as on SIGKILL (its connection to etcd cut: no Deregister, no
// more keepalives; register TTL 5 s, re-registered every third of it).
// Reported: how long the client's
// lookups still returned the old node after it stopped (stale-p50-ms,
// stale-max-ms), and how often a lookup found no node at all (empty).
func BenchmarkEtcdRollingDeploy(b *testing.B) {
	const ttl = 5 * time.Second
	for _, stop := range []string{"sigterm", "sigkill", "sigterm-after-etcd-restart"} {
		b.Run("stop="+stop, func(b *testing.B) {
			for k, c := range etcdContenders {
				b.Run(Impl(c.name), func(b *testing.B) {
					m := etcdtest.Start(b) // each its own
					name := fmt.Sprintf("roll%d", k)
					// An instance is a process: a registry of its own,
					// behind a proxy that can cut it off, re-registering
					// every third of the TTL as go-micro's server does.
					type instance struct {
						r     registry.Registry
						proxy *etcdtest.Proxy
						s     *registry.Service
						stop  chan struct{}
						done  chan struct{}
					}
					n := 0
					start := func() instance {
						n++
						p := etcdtest.StartProxy(b, m)
						in := instance{r: c.new(b, p.Addr, "", ""), proxy: p, s: etcdNode(name, fmt.Sprintf("%s-%d", name, n), 9200+n),
							stop: make(chan struct{}), done: make(chan struct{})}
						if err := in.r.Register(in.s, registry.RegisterTTL(ttl)); err != nil {
							b.Fatal(err)
						}
						go func() {
							defer close(in.done)
							t := time.NewTicker(ttl / 3)
							defer t.Stop()
							for {
								select {
								case <-in.stop:
									return
								case <-t.C:
									_ = in.r.Register(in.s, registry.RegisterTTL(ttl))
								}
							}
						}()
						return in
					}
					var live []instance
					for range 10 {
						live = append(live, start())
					}
					b.Cleanup(func() {
						for _, in := range live {
							close(in.stop)
							<-in.done
						}
					})
					client := cache.New(c.new(b, m.Addr, "", ""))
					b.Cleanup(client.Stop)
					// A client that looked the service up before the deploy,
					// as a running one has. go-micro's cache starts its
					// watch up to 100 ms after its first fetch, and what
					// happens in between it misses until its TTL (a
					// minute): marker instances come and go until the
					// cache sees one, which shows its watch runs.
					has := func(id string) bool {
						svcs, _ := client.GetService(name)
						return hasNode(svcs, id)
					}
					within := func(d time.Duration, cond func() bool) bool {
						deadline := time.Now().Add(d)
						for !cond() {
							if time.Now().After(deadline) {
								return false
							}
							time.Sleep(5 * time.Millisecond) // polling interval
						}
						return true
					}
					if !within(10*time.Second, func() bool { return has(live[len(live)-1].s.Nodes[0].Id) }) {
						b.Fatal("the client never saw the instances")
					}
					for tries := 0; ; tries++ {
						marker := start()
						close(marker.stop)
						<-marker.done
						seen := within(500*time.Millisecond, func() bool { return has(marker.s.Nodes[0].Id) })
						if err := marker.r.Deregister(marker.s); err != nil {
							b.Fatal(err)
						}
						if seen {
							if !within(10*time.Second, func() bool { return !has(marker.s.Nodes[0].Id) }) {
								b.Fatal("the client's cache never dropped the marker")
							}
							break
						}
						if tries == 10 {
							b.Fatal("the client's cache never started watching")
						}
					}
					var stale []time.Duration
					empty := 0
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if stop == "sigterm-after-etcd-restart" {
							// Every watch on etcd ends: each registry must
							// notice and watch again without losing what
							// changes meanwhile.
							b.StopTimer()
							m.Kill()
							m.Start(b)
							m.WaitHealthy(b, 30*time.Second)
							b.StartTimer()
						}
						old := live[0]
						live = append(live[1:], start())
						close(old.stop)
						<-old.done
						var stopped time.Time
						if stop != "sigkill" {
							if err := old.r.Deregister(old.s); err != nil {
								b.Fatal(err)
							}
							stopped = time.Now()
							// The process ends once the lookups are
							// timed (registry.Close below).
						} else {
							old.proxy.Cut()
							stopped = time.Now()
						}
						id := old.s.Nodes[0].Id
						deadline := stopped.Add(3 * ttl)
						for {
							svcs, err := client.GetService(name)
							if err != nil || len(svcs) == 0 {
								empty++
							}
							if !hasNode(svcs, id) || time.Now().After(deadline) {
								stale = append(stale, time.Since(stopped))
								break
							}
							time.Sleep(time.Millisecond) // the client's lookup rate
						}
						registry.Close(old.r)
					}
					b.StopTimer()
					slices.Sort(stale)
					b.ReportMetric(float64(Percentile(stale, 0.5))/1e6, "stale-p50-ms")
					b.ReportMetric(float64(stale[len(stale)-1])/1e6, "stale-max-ms")
					b.ReportMetric(float64(empty), "empty")
				})
			}
		})
	}
}

func hasNode(svcs []*registry.Service, id string) bool {
	for _, s := range svcs {
		for _, n := range s.Nodes {
			if n.Id == id {
				return true
			}
		}
	}
	return false
}

// etcdRequests reads etcd's count of gRPC messages received (every
// request, and every message on a stream: keepalives, watch requests) and
// of Authenticate calls, from its /metrics.
func etcdRequests(b *testing.B, m *etcdtest.Member) (msgs, auths float64) {
	resp, err := http.Get(m.ClientURL + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		val := func() float64 {
			f, _ := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			return f
		}
		switch {
		case strings.HasPrefix(line, "grpc_server_msg_received_total{"):
			msgs += val()
		case strings.HasPrefix(line, "grpc_server_handled_total{") && strings.Contains(line, `grpc_method="Authenticate"`):
			auths += val()
		}
	}
	return msgs, auths
}

// BenchmarkEtcdSteadyState: what 10 registries (10 go-micro services of
// one node each) cost etcd at steady state with auth on, re-registering
// as go-micro's server does (here every second with a 3 s TTL, go-micro's
// 30 s and 90 s made 30 times faster) and each looking up a service 10
// times a second: etcd requests (gRPC messages received) and
// authentications per second per registry, and the connections a
// registry holds.
func BenchmarkEtcdSteadyState(b *testing.B) {
	const (
		registries = 10
		window     = 10 * time.Second
	)
	for _, c := range etcdContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			m := etcdtest.Start(b)
			etcdtest.AddUser(b, m, "svc", "svc-secret", "/micro/registry/")
			etcdtest.EnableAuth(b, m)
			proxy := etcdtest.StartProxy(b, m)
			var rs []registry.Registry
			for i := range registries {
				addr := m.Addr
				if i == 0 {
					addr = proxy.Addr // the one whose connections are counted
				}
				r := c.new(b, addr, "svc", "svc-secret")
				if err := r.Init(registry.Addrs(addr)); err != nil { // as go-micro's cmd does
					b.Fatal(err)
				}
				rs = append(rs, r)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				stop := make(chan struct{})
				done := make(chan struct{}, registries)
				var first sync.WaitGroup
				first.Add(registries)
				for k, r := range rs {
					go func() {
						defer func() { done <- struct{}{} }()
						s := etcdNode(fmt.Sprintf("steady%d", k), fmt.Sprintf("steady%d-1", k), 9300+k)
						reg := time.NewTicker(time.Second)
						get := time.NewTicker(100 * time.Millisecond)
						defer reg.Stop()
						defer get.Stop()
						_ = r.Register(s, registry.RegisterTTL(3*time.Second))
						first.Done()
						for {
							select {
							case <-stop:
								return
							case <-reg.C:
								_ = r.Register(s, registry.RegisterTTL(3*time.Second))
							case <-get.C:
								_, _ = r.GetService(fmt.Sprintf("steady%d", (k+1)%registries))
							}
						}
					}()
				}
				first.Wait() // past the first registrations: steady state from here
				msgs0, auths0 := etcdRequests(b, m)
				t0 := time.Now()
				time.Sleep(window) // the measured window
				msgs1, auths1 := etcdRequests(b, m)
				secs := time.Since(t0).Seconds()
				close(stop)
				for range rs {
					<-done
				}
				b.ReportMetric((msgs1-msgs0)/secs/registries, "etcd-req/s/registry")
				b.ReportMetric((auths1-auths0)/secs/registries, "auth/s/registry")
				open, opened := proxy.Conns()
				b.ReportMetric(float64(open), "conns")
				b.ReportMetric(float64(opened), "conns-opened")
			}
		})
	}
}

// rivalEtcdEnv hands a rival report's cases the etcd they share.
const rivalEtcdEnv = "MICROREG_RIVAL_ETCD"

// TestRivalConformanceEtcd runs the suite against go-micro's v4 etcd
// plugin on one etcd member and reports what it fails.
func TestRivalConformanceEtcd(t *testing.T) {
	if IsRivalChild() {
		addr := os.Getenv(rivalEtcdEnv)
		registrytest.Run(t, func(t *testing.T) *registrytest.World {
			return &registrytest.World{Wait: 4 * time.Second, TTL: 2 * time.Second, Ops: 200,
				New: func(t *testing.T) registry.Registry { return plugin.NewRegistry(registry.Addrs(addr)) }}
		})
		return
	}
	if testing.Short() {
		t.Skip("the rival report runs one process per case; run it without -short")
	}
	// One etcd for every case: each case's names are its own.
	outcomes := RivalConformance(t, "TestRivalConformanceEtcd", 2*time.Minute, rivalEtcdEnv+"="+etcdtest.Start(t).Addr)
	if len(outcomes) != len(registrytest.Cases()) {
		t.Fatalf("report covers %d of %d cases", len(outcomes), len(registrytest.Cases()))
	}
	LogOutcomes(t, "go-micro etcd plugin", outcomes)
}

// TestRivalConformanceEtcdV5 runs the suite against go-micro v5's own
// etcd registry on one etcd member and reports what it fails.
func TestRivalConformanceEtcdV5(t *testing.T) {
	if IsRivalChild() {
		addr := os.Getenv(rivalEtcdEnv)
		registrytest5.Run(t, func(t *testing.T) *registrytest5.World {
			return &registrytest5.World{Wait: 4 * time.Second, TTL: 2 * time.Second, Ops: 200,
				New: func(t *testing.T) mregistry5.Registry { return etcd5.NewEtcdRegistry(mregistry5.Addrs(addr)) }}
		})
		return
	}
	if testing.Short() {
		t.Skip("the rival report runs one process per case; run it without -short")
	}
	outcomes := RivalConformance(t, "TestRivalConformanceEtcdV5", 2*time.Minute, rivalEtcdEnv+"="+etcdtest.Start(t).Addr)
	if len(outcomes) != len(registrytest.Cases()) {
		t.Fatalf("report covers %d of %d cases", len(outcomes), len(registrytest.Cases()))
	}
	LogOutcomes(t, "go-micro v5 etcd", outcomes)
}
