package bench

import (
	"fmt"
	"io"
	"log"
	"sync"
	"testing"
	"time"

	"github.com/microreg/microreg/gossip"
	"github.com/microreg/microreg/internal/splitnet"
	"github.com/microreg/microreg/registry"
)

// The plugin has no equivalent of these (it neither heals partitions nor
// coalesces bursts): microreg alone, with the trial count (b.N).

// listsAll waits until every member lists n services, or d passes.
func listsAll(rs []registry.Registry, n int, d time.Duration) (time.Duration, bool) {
	return pollFor(d, func() bool {
		for _, r := range rs {
			list, err := r.ListServices()
			if err != nil || len(list) != n {
				return false
			}
		}
		return true
	})
}

// BenchmarkGossipBurst: 1,000 registrations made at once on one member of
// a 10-member cluster (local preset); the time until every other member
// lists all of them, p50/p99 over b.N bursts.
func BenchmarkGossipBurst(b *testing.B) {
	nodes := gossipContenders[0].cluster(b, 10)
	var rs []registry.Registry
	for _, nd := range nodes {
		rs = append(rs, nd.r)
	}
	const burst = 1000
	var took []time.Duration
	lost := 0
	for i := 0; i < b.N; i++ {
		start := time.Now()
		for j := 0; j < burst; j++ {
			s := WorkloadService(i*burst+j, 1)
			if err := rs[3].Register(s, registry.RegisterTTL(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
		if _, ok := listsAll(rs, (i+1)*burst, 30*time.Second); !ok {
			lost++
		}
		took = append(took, time.Since(start))
	}
	b.ReportMetric(float64(Percentile(took, 0.5).Nanoseconds())/1e6, "p50-ms")
	b.ReportMetric(float64(Percentile(took, 0.99).Nanoseconds())/1e6, "p99-ms")
	b.ReportMetric(float64(lost), "late")
}

// BenchmarkGossipHeal: a cluster split a | b (2 | 2 and 10 | 20, local
// preset with GossipToTheDeadTime 3 s), held until each side has dropped
// the other's services and past GossipToTheDeadTime, then healed: the
// time from the heal until every member lists every service again, p50/
// p99 over b.N splits; and the bytes per second each member sends while
// the cluster is whole and while it is split (the reconnect attempts).
func BenchmarkGossipHeal(b *testing.B) {
	for _, split := range [][2]int{{2, 2}, {10, 20}} {
		b.Run(fmt.Sprintf("split=%dx%d", split[0], split[1]), func(b *testing.B) {
			nw := splitnet.New()
			n := split[0] + split[1]
			var rs []registry.Registry
			var addrs []string
			var trs []*splitnet.Transport
			for i := 0; i < n; i++ {
				tr, err := nw.Transport()
				if err != nil {
					b.Fatal(err)
				}
				cfg := tr.Use(gossip.LocalConfig())
				cfg.GossipToTheDeadTime = 3 * time.Second
				cfg.Name = fmt.Sprintf("heal-%02d", i)
				cfg.Logger = log.New(io.Discard, "", 0)
				opts := []registry.Option{gossip.Config(cfg)}
				if i > 0 {
					opts = append(opts, registry.Addrs(addrs[0]))
				}
				r, err := gossip.New(opts...)
				if err != nil {
					b.Fatal(err)
				}
				rs, addrs, trs = append(rs, r), append(addrs, tr.Addr()), append(trs, tr)
				if err := r.Register(WorkloadService(i, 1), registry.RegisterTTL(time.Hour)); err != nil {
					b.Fatal(err)
				}
			}
			b.Cleanup(func() {
				var wg sync.WaitGroup
				for _, r := range rs {
					wg.Add(1)
					go func() { defer wg.Done(); registry.Close(r) }()
				}
				wg.Wait()
			})
			if _, ok := listsAll(rs, n, 60*time.Second); !ok {
				b.Fatal("the cluster never converged")
			}
			// sent returns the bytes per second per member over a window.
			sent := func(window time.Duration) float64 {
				var before, after int64
				for _, tr := range trs {
					before += tr.Sent.Load()
				}
				time.Sleep(window) // the measurement window itself
				for _, tr := range trs {
					after += tr.Sent.Load()
				}
				return float64(after-before) / window.Seconds() / float64(n)
			}
			whole := sent(3 * time.Second)
			var splitRate float64
			var took []time.Duration
			lost := 0
			for i := 0; i < b.N; i++ {
				nw.Split(addrs[:split[0]], addrs[split[0]:])
				if _, ok := listsAll(rs[:split[0]], split[0], 60*time.Second); !ok {
					b.Fatal("side a never dropped side b")
				}
				if _, ok := listsAll(rs[split[0]:], split[1], 60*time.Second); !ok {
					b.Fatal("side b never dropped side a")
				}
				time.Sleep(4 * time.Second) // held past GossipToTheDeadTime: the condition under test
				if i == 0 {
					splitRate = sent(3 * time.Second) // reconnect attempts run, and fail
				}
				nw.Heal()
				d, ok := listsAll(rs, n, 60*time.Second)
				if !ok {
					lost++
				}
				took = append(took, d)
			}
			b.ReportMetric(float64(Percentile(took, 0.5).Nanoseconds())/1e6, "heal-p50-ms")
			b.ReportMetric(float64(Percentile(took, 0.99).Nanoseconds())/1e6, "heal-p99-ms")
			b.ReportMetric(float64(lost), "unmerged")
			b.ReportMetric(whole, "whole-B/s/node")
			b.ReportMetric(splitRate, "split-B/s/node")
			b.ReportMetric(2*4*float64(cfgProbe().Milliseconds()), "target-ms")
		})
	}
}

// cfgProbe is the local preset's probe interval (the reconnect interval
// is 4 of them).
func cfgProbe() time.Duration { return gossip.LocalConfig().ProbeInterval }
