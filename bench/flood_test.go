package bench

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go-micro.dev/v4/logger"

	"github.com/microreg/microreg/gossip"
	"github.com/microreg/microreg/registry"
)

// The flood: one gossip member registers without end (1,000,000 nodes by
// default, MICROREG_FLOOD=N for another count), ignoring its own limit as
// a buggy or hostile member would. It is a process of its own, so that
// the heap measured is the observer's alone.
const (
	flooderEnv    = "MICROREG_FLOODER" // the seed to join: the test binary is the flooder
	floodCountEnv = "MICROREG_FLOOD"
	legitServices = 100
)

// floodCounts are the floods measured: MICROREG_FLOOD, comma-separated
// (default 100,000 and 1,000,000: what is held must not grow with it).
func floodCounts() []int {
	var out []int
	for _, f := range strings.Split(os.Getenv(floodCountEnv), ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		out = []int{100_000, 1_000_000}
	}
	return out
}

// lan is the members' preset: a flood comes over a network, and members
// on one host that is busy with it would miss the Local preset's 200 ms
// acks and be declared dead, which is failure detection, not what this
// measures.
var lan = gossip.WithPreset(gossip.LAN)

// flood is the flooder process: it joins seed and registers n nodes, one
// service each, printing its progress, then waits for its stdin to close.
func flood(seed string, n int) error {
	r, err := gossip.New(gossip.BindAddress("127.0.0.1", 0), registry.Addrs(seed), lan,
		gossip.MaxNodesPerMember(2*n), registry.MaxServices(2*n), registry.MaxNodes(2*n),
		registry.Logger(logger.NewLogger(logger.WithLevel(logger.FatalLevel))))
	if err != nil {
		return err
	}
	defer r.Close()
	for i := range n {
		s := &registry.Service{Name: fmt.Sprintf("flood-%07d", i), Version: "1",
			Nodes: []*registry.Node{{Id: fmt.Sprintf("flood-%07d-1", i), Address: "127.0.0.1:1", Metadata: map[string]string{"protocol": "mucp"}}}}
		if err := r.Register(s); err != nil {
			return err
		}
		if (i+1)%100_000 == 0 {
			fmt.Println("flooded", i+1)
		}
	}
	fmt.Println("flood done")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	return nil
}

// heapInUse returns the heap in use after a collection, in MB.
func heapInUse() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}

// BenchmarkGossipFlood: an observer member and a legitimate member (100
// services, 100 more registered during the flood), in this process; a
// third member, a process of its own, registers N nodes as fast as it
// can, past every limit (it raised its own, as a buggy or hostile member
// ignores them). Measured on this process: its heap before, at its peak
// during the flood (sampled every 100 ms) and once the flood is over and
// the heap has settled, with what the members hold of it; GetService of
// the legitimate services, quiet and during the flood (p50/p99); how many
// of the flood's nodes the observer holds; how many legitimate services
// it lost. Every member has the LAN preset (lan). N is 100,000 and
// 1,000,000 (MICROREG_FLOOD=N[,N...]): what is held must not grow with N.
func BenchmarkGossipFlood(b *testing.B) {
	for _, n := range floodCounts() {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for range b.N {
				floodOnce(b, n)
			}
		})
	}
}

func floodOnce(b *testing.B, n int) {
	quiet := registry.Logger(logger.NewLogger(logger.WithLevel(logger.FatalLevel)))
	obs, err := gossip.New(gossip.BindAddress("127.0.0.1", 0), lan, quiet)
	if err != nil {
		b.Fatal(err)
	}
	defer obs.Close()
	seed, _ := obs.LocalAddr()
	legit, err := gossip.New(gossip.BindAddress("127.0.0.1", 0), registry.Addrs(seed), lan, quiet)
	if err != nil {
		b.Fatal(err)
	}
	defer legit.Close()
	name := func(round, i int) string { return fmt.Sprintf("legit-%d-%03d", round, i) }
	register := func(round, i int) {
		s := &registry.Service{Name: name(round, i), Version: "1", Nodes: []*registry.Node{{Id: name(round, i) + "-1", Address: "127.0.0.1:2"}}}
		if err := legit.Register(s); err != nil {
			b.Fatal(err)
		}
	}
	for i := range legitServices {
		register(0, i)
	}
	if !until(30*time.Second, func() bool { return count(obs, "legit-") == legitServices }) {
		b.Fatal("the observer never saw the legitimate services")
	}
	lookups := func(stop <-chan struct{}, round int) []time.Duration {
		var out []time.Duration
		for i := 0; ; i++ {
			select {
			case <-stop:
				return out
			default:
			}
			start := time.Now()
			if _, err := obs.GetService(name(round, i%legitServices)); err != nil {
				b.Errorf("GetService of a legitimate service: %v (the observer sees %d members)", err, obs.Members())
				return out
			}
			out = append(out, time.Since(start))
			time.Sleep(time.Millisecond) // a client's pace, not a busy loop
		}
	}
	stopQuiet := make(chan struct{})
	time.AfterFunc(2*time.Second, func() { close(stopQuiet) })
	quietLat := lookups(stopQuiet, 0)
	base := heapInUse()

	b.ResetTimer()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), flooderEnv+"="+seed, floodCountEnv+"="+strconv.Itoa(n))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if sc.Text() == "flood done" {
				close(done)
			}
		}
	}()
	stopFlood := make(chan struct{})
	var floodLat []time.Duration
	var peak float64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); floodLat = lookups(stopFlood, 0) }()
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopFlood:
				return
			case <-t.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				peak = max(peak, float64(m.HeapInuse)/(1<<20))
			}
		}
	}()
	// The legitimate member keeps registering during the flood.
	for i := range legitServices {
		register(1, i)
		time.Sleep(20 * time.Millisecond) // spread over the flood's first two seconds, as deploys are
	}
	select {
	case <-done:
	case <-exited:
		b.Fatal("the flooder ended before its flood was done (its error is above)")
	case <-time.After(20 * time.Minute):
		b.Fatal("the flooder did not finish")
	}
	// Settled: what the observer holds of the flood stops changing.
	last, since := -1, time.Now()
	until(5*time.Minute, func() bool {
		if c := count(obs, "flood-"); c != last {
			last, since = c, time.Now()
		}
		return time.Since(since) > 3*time.Second
	})
	close(stopFlood)
	wg.Wait()
	b.StopTimer()
	// Settled: the flood's last messages handled, this process idle (less
	// than 5% of a core over a second), then the heap as it holds.
	busy := cpuTime(b, os.Getpid())
	until(3*time.Minute, func() bool {
		time.Sleep(time.Second) // the window the CPU used is measured over
		now := cpuTime(b, os.Getpid())
		idle := now-busy < 50*time.Millisecond
		busy = now
		return idle
	})
	after := heapInUse()
	lost := 0
	for round := range 2 {
		for i := range legitServices {
			if _, err := obs.GetService(name(round, i)); err != nil {
				lost++
			}
		}
	}
	b.ReportMetric(base, "heap-base-MB")
	b.ReportMetric(peak, "heap-peak-MB")
	b.ReportMetric(after, "heap-held-MB")
	b.ReportMetric(float64(count(obs, "flood-")), "flood-held")
	b.ReportMetric(float64(lost), "legit-lost")
	b.ReportMetric(float64(Percentile(quietLat, 0.99).Nanoseconds())/1e6, "quiet-p99-ms")
	b.ReportMetric(float64(Percentile(floodLat, 0.5).Nanoseconds())/1e6, "flood-p50-ms")
	b.ReportMetric(float64(Percentile(floodLat, 0.99).Nanoseconds())/1e6, "flood-p99-ms")
}

// until polls cond every 500 ms until it holds or d has passed, and
// reports whether it held.
func until(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(500 * time.Millisecond) // polling interval
	}
}

// count is how many services whose names start with prefix r lists.
func count(r registry.Registry, prefix string) int {
	list, err := r.ListServices()
	if err != nil {
		return -1
	}
	n := 0
	for _, s := range list {
		if strings.HasPrefix(s.Name, prefix) {
			n++
		}
	}
	return n
}
