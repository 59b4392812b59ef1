package bench

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	plugin "github.com/go-micro/plugins/v4/registry/consul"
	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/registry"
)

// The ConsulFleet workload: V viewers (separate registries in this
// process, as V client processes on one host would be) each view the same
// K services of a catalog of C services × 2 instances, every instance with
// a passing check, registered through the catalog on other nodes (the
// rest of the fleet). Then, at R changes a second, an extra instance is
// registered (with a passing check) and deregistered 200 ms later, first
// to services nobody views, then to viewed ones.
const (
	fleetViewers = 10
	fleetViewed  = 10
	fleetChanges = 50
	fleetRate    = 5 // changes a second
	fleetHold    = time.Second / fleetRate
)

// fleetWatch is what a contender does for one viewer: view names and call
// seen with every view change (a watch event) of a service.
type fleetContender struct {
	name string
	// cost only: a means of change detection measured for its cost to
	// the agent; it reports no instances.
	costOnly bool
	view     func(b *testing.B, ctx context.Context, addr string, names []string, seen func(*registry.Result)) (stop func())
}

var fleetContenders = []fleetContender{
	// No viewer at all: what a change costs by itself (the writes).
	{name: "none", costOnly: true},
	{name: "floor", view: rawServiceQueries(false)},
	{name: "microreg", view: registryViewer(func(addr string) registry.Registry { return consul.NewRegistry(registry.Addrs(addr)) })},
	{name: "plugin", view: registryViewer(func(addr string) registry.Registry { return plugin.NewRegistry(registry.Addrs(addr)) })},
	// Consul's other means, each measured as one viewer would use it.
	{name: "means-shared", view: registryViewer(func(addr string) registry.Registry {
		return consul.NewRegistry(registry.Addrs(addr), consul.ViewQueries(0))
	})},
	{name: "means-cached", view: rawServiceQueries(true)},
	{name: "means-state-filter", view: rawStateFilter},
	{name: "means-catalog", costOnly: true, view: rawCatalog},
}

// registryViewer views names through a registry: a GetService and a
// watch of each (the plugin's GetService asks the agent each time, so its
// view is its watches).
func registryViewer(newReg func(addr string) registry.Registry) func(*testing.B, context.Context, string, []string, func(*registry.Result)) func() {
	return func(b *testing.B, ctx context.Context, addr string, names []string, seen func(*registry.Result)) func() {
		r := newReg(addr)
		var ws []registry.Watcher
		var wg sync.WaitGroup
		for _, name := range names {
			if _, err := r.GetService(name); err != nil {
				b.Fatal(err)
			}
			w, err := r.Watch(registry.WatchService(name))
			if err != nil {
				b.Fatal(err)
			}
			ws = append(ws, w)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					ev, err := w.Next()
					if err == registry.ErrWatcherStopped { //nolint:errorlint // the sentinel itself
						return
					}
					if err != nil {
						if ctx.Err() != nil {
							return
						}
						continue
					}
					seen(ev)
				}
			}()
		}
		return func() {
			for _, w := range ws {
				w.Stop()
			}
			registry.Close(r)
			wg.Wait()
		}
	}
}

// rawServiceQueries is the floor: one blocking query a viewed service on
// /v1/health/service/NAME?passing, as consul/api gives it (cached: with
// ?cached, the agent's cache).
func rawServiceQueries(cached bool) func(*testing.B, context.Context, string, []string, func(*registry.Result)) func() {
	return func(b *testing.B, ctx context.Context, addr string, names []string, seen func(*registry.Result)) func() {
		cl := fleetClient(b, addr)
		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for _, name := range names {
			ready := make(chan struct{})
			wg.Add(1)
			go func() {
				defer wg.Done()
				var idx uint64
				for ctx.Err() == nil {
					q := (&api.QueryOptions{WaitIndex: idx, WaitTime: 5 * time.Minute, UseCache: cached}).WithContext(ctx)
					entries, meta, err := cl.Health().Service(name, "", true, q)
					if err != nil {
						continue
					}
					if idx == 0 {
						close(ready)
					}
					idx = max(meta.LastIndex, 1)
					s := &registry.Service{Name: name}
					for _, e := range entries {
						s.Nodes = append(s.Nodes, &registry.Node{Id: e.Service.ID})
					}
					seen(&registry.Result{Action: registry.ActionUpdate, Service: s})
				}
			}()
			<-ready
		}
		return func() { cancel(); wg.Wait() }
	}
}

// rawStateFilter: one blocking query on the checks of the viewed services
// only (/v1/health/state/any with a filter), whose passing service checks
// are the view.
func rawStateFilter(b *testing.B, ctx context.Context, addr string, names []string, seen func(*registry.Result)) func() {
	cl := fleetClient(b, addr)
	var terms []string
	for _, n := range names {
		terms = append(terms, fmt.Sprintf("ServiceName == %q", n))
	}
	filter := strings.Join(terms, " or ")
	ctx, cancel := context.WithCancel(ctx)
	ready := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var idx uint64
		for ctx.Err() == nil {
			q := (&api.QueryOptions{WaitIndex: idx, WaitTime: 5 * time.Minute, Filter: filter}).WithContext(ctx)
			checks, meta, err := cl.Health().State(api.HealthAny, q)
			if err != nil {
				continue
			}
			if idx == 0 {
				close(ready)
			}
			idx = max(meta.LastIndex, 1)
			by := map[string]*registry.Service{}
			for _, h := range checks {
				if h.Status != api.HealthPassing {
					continue
				}
				s := by[h.ServiceName]
				if s == nil {
					s = &registry.Service{Name: h.ServiceName}
					by[h.ServiceName] = s
				}
				s.Nodes = append(s.Nodes, &registry.Node{Id: h.ServiceID})
			}
			for _, s := range by {
				seen(&registry.Result{Action: registry.ActionUpdate, Service: s})
			}
		}
	}()
	<-ready
	return func() { cancel(); <-done }
}

// rawCatalog: one blocking query on the service list (the catalog
// index), which tells that something changed but not which instance.
func rawCatalog(b *testing.B, ctx context.Context, addr string, _ []string, _ func(*registry.Result)) func() {
	cl := fleetClient(b, addr)
	ctx, cancel := context.WithCancel(ctx)
	ready := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var idx uint64
		for ctx.Err() == nil {
			q := (&api.QueryOptions{WaitIndex: idx, WaitTime: 5 * time.Minute}).WithContext(ctx)
			_, meta, err := cl.Catalog().Services(q)
			if err != nil {
				continue
			}
			if idx == 0 {
				close(ready)
			}
			idx = max(meta.LastIndex, 1)
		}
	}()
	<-ready
	return func() { cancel(); <-done }
}

func fleetClient(b *testing.B, addr string) *api.Client {
	cl, err := api.NewClient(&api.Config{Address: addr})
	if err != nil {
		b.Fatal(err)
	}
	return cl
}

// fleetCatalog registers c services × 2 instances, each with a passing
// check, on 20 other nodes through the catalog, 4 at a time.
func fleetCatalog(b *testing.B, cl *api.Client, c int) {
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < c; i += 4 {
				for j := 0; j < 2; j++ {
					if err := fleetPut(cl, fmt.Sprintf("cat-%05d", i), fmt.Sprintf("cat-%05d-%d", i, j), (i+j)%20); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// fleetPut registers one instance with a passing check on fleet node n.
func fleetPut(cl *api.Client, name, id string, n int) error {
	node := fmt.Sprintf("fleet-node-%02d", n)
	_, err := cl.Catalog().Register(&api.CatalogRegistration{
		Node: node, Address: fmt.Sprintf("127.0.1.%d", n+1),
		Service: &api.AgentService{ID: id, Service: name, Address: "127.0.0.1", Port: 20000 + n},
		Check: &api.AgentCheck{Node: node, CheckID: "check:" + id, Name: "alive", Status: api.HealthPassing,
			ServiceID: id, ServiceName: name},
	}, nil)
	return err
}

func fleetDel(cl *api.Client, id string, n int) error {
	_, err := cl.Catalog().Deregister(&api.CatalogDeregistration{Node: fmt.Sprintf("fleet-node-%02d", n), ServiceID: id}, nil)
	return err
}

// fleetSetup is one catalog on one Consul: a dev agent, or 3 servers and a
// client agent (the viewers' agent), whose servers' CPU is counted too.
type fleetSetup struct {
	addr    string // the viewers' agent
	pids    []int  // whose CPU is the agent's
	servers []int  // the servers' CPU, when they are other processes
	writer  *api.Client
}

// BenchmarkConsulFleet: see fleetContenders and the constants above. Per
// change, with the CPU of the same time idle subtracted: agent-cpu-ms
// (servers-cpu-ms on a cluster), viewers-cpu-ms (this process: every
// viewer, and the writer's one call); for changes to viewed services, p50
// and p99 until a viewer reports the new instance, and missed, the
// (viewer, change) pairs never reported (of V × changes); conns/registry.
// With -benchtime Nx each contender runs N rounds, each with new viewers:
// CPU is the mean of the rounds, the percentiles are over every report of
// every round, missed and stale their sums. MICROREG_FLEET=all adds
// C=10,000 and a 3-server cluster.
func BenchmarkConsulFleet(b *testing.B) {
	sizes := []string{"dev/C=1000"}
	if os.Getenv("MICROREG_FLEET") == "all" {
		sizes = append(sizes, "dev/C=10000", "cluster/C=1000")
	}
	for _, size := range sizes {
		b.Run(size, func(b *testing.B) {
			var c int
			fmt.Sscanf(size[strings.Index(size, "C=")+2:], "%d", &c)
			var s fleetSetup
			if strings.HasPrefix(size, "cluster") {
				cluster := consultest.StartCluster(b, 3)
				s = fleetSetup{addr: cluster.Client.HTTPAddr, pids: []int{cluster.Client.Pid()}}
				for _, srv := range cluster.Servers {
					s.servers = append(s.servers, srv.Pid())
				}
			} else {
				agent := consultest.StartDev(b)
				s = fleetSetup{addr: agent.HTTPAddr, pids: []int{agent.Pid()}}
			}
			s.writer = fleetClient(b, s.addr)
			fleetCatalog(b, s.writer, c)
			contenders := fleetContenders
			if c > 1000 || strings.HasPrefix(size, "cluster") {
				contenders = contenders[:4] // none, the floor, microreg and the plugin
			}
			for _, fc := range contenders {
				b.Run(Impl(fc.name), func(b *testing.B) {
					var all fleetStats
					for i := 0; i < b.N; i++ {
						all.add(fleetRun(b, s, c, fc))
					}
					all.report(b, fc.costOnly, len(s.servers) > 0)
				})
			}
		})
	}
}

// fleetStats add up the rounds of one contender.
type fleetStats struct {
	rounds int
	cpuMS  map[string]float64 // unit -> CPU ms a change, summed over rounds
	lat    []time.Duration
	missed int
	stale  int
	conns  float64 // summed over rounds
}

func (f *fleetStats) add(r fleetStats) {
	if f.cpuMS == nil {
		f.cpuMS = map[string]float64{}
	}
	f.rounds++
	for k, v := range r.cpuMS {
		f.cpuMS[k] += v
	}
	f.lat = append(f.lat, r.lat...)
	f.missed += r.missed
	f.stale += r.stale
	f.conns += r.conns
}

func (f *fleetStats) report(b *testing.B, costOnly, servers bool) {
	n := float64(max(f.rounds, 1))
	for k, v := range f.cpuMS {
		if servers || !strings.Contains(k, "servers") {
			b.ReportMetric(v/n, k)
		}
	}
	if costOnly {
		return
	}
	b.ReportMetric(float64(Percentile(f.lat, 0.5).Nanoseconds())/1e6, "p50-ms")
	b.ReportMetric(float64(Percentile(f.lat, 0.99).Nanoseconds())/1e6, "p99-ms")
	b.ReportMetric(float64(f.missed), "missed")
	b.ReportMetric(float64(f.stale), "stale")
	b.ReportMetric(f.conns/n, "conns/registry")
}

// fleetRun is one round: the viewers, the idle window, the changes to
// unviewed then viewed services.
func fleetRun(b *testing.B, s fleetSetup, c int, fc fleetContender) (out fleetStats) {
	out.cpuMS = map[string]float64{}
	names := make([]string, fleetViewed)
	for i := range names {
		names[i] = fmt.Sprintf("cat-%05d", i)
	}
	// seen: (viewer, instance id) -> when first reported present, and
	// when reported gone.
	type key struct {
		v  int
		id string
	}
	var mu sync.Mutex
	added := map[key]time.Time{}
	present := map[key]bool{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := consultest.Conns(b, s.addr)
	var stops []func()
	for v := 0; v < fleetViewers && fc.view != nil; v++ {
		stops = append(stops, fc.view(b, ctx, s.addr, names, func(ev *registry.Result) {
			if ev.Service == nil {
				return
			}
			now := time.Now()
			mu.Lock()
			defer mu.Unlock()
			for _, n := range ev.Service.Nodes {
				if !strings.Contains(n.Id, "-x") {
					continue
				}
				k := key{v, n.Id}
				if ev.Action == registry.ActionDelete {
					present[k] = false
					continue
				}
				if _, ok := added[k]; !ok {
					added[k] = now
				}
				present[k] = true
			}
			if ev.Action != registry.ActionDelete {
				// An update lists every instance: one not listed is gone.
				for k := range present {
					if k.v == v && present[k] && strings.HasPrefix(k.id, ev.Service.Name+"-") &&
						!slices.ContainsFunc(ev.Service.Nodes, func(n *registry.Node) bool { return n.Id == k.id }) {
						present[k] = false
					}
				}
			}
		}))
	}
	defer func() {
		cancel()
		for _, stop := range stops {
			stop()
		}
	}()
	conns := float64(consultest.Conns(b, s.addr)-before) / fleetViewers

	cpu := func() (agent, servers, self time.Duration) {
		for _, p := range s.pids {
			agent += cpuTime(b, p)
		}
		for _, p := range s.servers {
			servers += cpuTime(b, p)
		}
		return agent, servers, cpuTime(b, os.Getpid())
	}
	window := time.Duration(fleetChanges) * fleetHold
	// The idle cost of the same time, subtracted from each phase.
	a0, s0, p0 := cpu()
	time.Sleep(window) // the idle window measured: its length is the measurement
	a1, s1, p1 := cpu()
	idleA, idleS, idleP := a1-a0, s1-s0, p1-p0

	// changes runs fleetChanges changes at fleetRate, service pick(i),
	// and returns each change's start.
	changes := func(pick func(i int) string) []time.Time {
		starts := make([]time.Time, fleetChanges)
		tick := time.NewTicker(fleetHold)
		defer tick.Stop()
		prev := ""
		for i := 0; i <= fleetChanges; i++ {
			if prev != "" {
				if err := fleetDel(s.writer, prev, 0); err != nil {
					b.Fatal(err)
				}
			}
			if i == fleetChanges {
				break
			}
			prev = fmt.Sprintf("%s-x%d", pick(i), i)
			starts[i] = time.Now()
			if err := fleetPut(s.writer, pick(i), prev, 0); err != nil {
				b.Fatal(err)
			}
			<-tick.C
		}
		return starts
	}
	report := func(what string, a, sv, p time.Duration) {
		per := func(d, idle time.Duration) float64 {
			return float64(max(d-idle, 0)) / float64(time.Millisecond) / fleetChanges
		}
		out.cpuMS[what+"-agent-cpu-ms"] = per(a, idleA)
		out.cpuMS[what+"-servers-cpu-ms"] = per(sv, idleS)
		out.cpuMS[what+"-viewers-cpu-ms"] = per(p, idleP)
	}

	a0, s0, p0 = cpu()
	changes(func(i int) string { return fmt.Sprintf("cat-%05d", fleetViewed+(i*37)%(c-fleetViewed)) })
	a1, s1, p1 = cpu()
	report("unviewed", a1-a0, s1-s0, p1-p0)

	a0, s0, p0 = cpu()
	starts := changes(func(i int) string { return names[i%fleetViewed] })
	a1, s1, p1 = cpu()
	report("viewed", a1-a0, s1-s0, p1-p0)
	out.conns = conns
	if fc.costOnly {
		return out
	}
	// Every report in: at most 5 s after the last change.
	all := fleetViewers * fleetChanges
	pollFor(5*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		gone := 0
		for _, p := range present {
			if !p {
				gone++
			}
		}
		return len(added) == all && gone == all
	})
	mu.Lock()
	defer mu.Unlock()
	var lat []time.Duration
	stale := 0
	for i := 0; i < fleetChanges; i++ {
		id := fmt.Sprintf("%s-x%d", names[i%fleetViewed], i)
		for v := 0; v < fleetViewers; v++ {
			if t, ok := added[key{v, id}]; ok {
				lat = append(lat, t.Sub(starts[i]))
			}
			if present[key{v, id}] {
				stale++
			}
		}
	}
	out.lat, out.missed, out.stale = lat, all-len(lat), stale
	return out
}
