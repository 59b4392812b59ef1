package bench

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/registry"
)

// cpuTime is a process's user+system CPU time.
func cpuTime(tb testing.TB, pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// BenchmarkConsulViewLoad: one registry viewing 10, 100 or 1,000 services
// (microreg: a GetService of each; plugin: a watch of each, as go-micro's
// selector cache makes), on a dev agent with its default limits. conns:
// the connections it holds to the agent; then a node of one viewed service
// is deregistered through another registry, b.N times (see Propagation),
// and agent-cpu-ms is the agent's CPU per op.
func BenchmarkConsulViewLoad(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		agent := consultest.StartDev(b)
		tr := &http.Transport{}
		cl, err := api.NewClient(&api.Config{Address: agent.HTTPAddr, HttpClient: &http.Client{Transport: tr}})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i++ {
			if err := cl.Agent().ServiceRegister(&api.AgentServiceRegistration{ID: fmt.Sprintf("view-%04d-1", i),
				Name: fmt.Sprintf("view-%04d", i), Address: "127.0.0.1", Port: 10000 + i}); err != nil {
				b.Fatal(err)
			}
		}
		tr.CloseIdleConnections()
		for k, c := range consulContenders {
			if c.name == "plugin" && n > 100 {
				continue // 1,000 watches: past the agent's 200 connections per address
			}
			b.Run(Impl(c.name)+fmt.Sprintf("/views=%d", n), func(b *testing.B) {
				before := consultest.Conns(b, agent.HTTPAddr)
				r := c.new(agent.HTTPAddr)
				b.Cleanup(func() { registry.Close(r) })
				for i := 0; i < n; i++ {
					name := fmt.Sprintf("view-%04d", i)
					if c.name == "plugin" {
						w, err := r.Watch(registry.WatchService(name))
						if err != nil {
							b.Fatal(err)
						}
						b.Cleanup(w.Stop)
						continue
					}
					if _, err := r.GetService(name); err != nil {
						b.Fatal(err)
					}
				}
				if c.name == "plugin" {
					// Its watches connect in the background: wait until the
					// count of connections stops changing.
					last, same := -1, 0
					if _, ok := pollFor(30*time.Second, func() bool {
						now := consultest.Conns(b, agent.HTTPAddr)
						if now == last && now-before > 0 {
							same++
						} else {
							last, same = now, 0
						}
						return same >= 20 // unchanged for 200 ms
					}); !ok {
						b.Fatalf("the plugin's %d watches never settled", n)
					}
				}
				conns := consultest.Conns(b, agent.HTTPAddr) - before
				writer := c.new(agent.HTTPAddr)
				b.Cleanup(func() { registry.Close(writer) })
				gone := consulService(800+k, 1)
				gone.Name = "view-0000"
				stay := consulService(800+k, 2)
				stay.Name, stay.Nodes = "view-0000", stay.Nodes[1:]
				// Gone with this run: the next run (a larger b.N) starts
				// from a service without them, or its watcher would have
				// nothing new to report when they are registered.
				b.Cleanup(func() { _ = writer.Deregister(stay); _ = writer.Deregister(gone) })
				pid := agent.Pid()
				cpu0 := cpuTime(b, pid)
				Propagation(b, writer, r, stay, gone, 10*time.Second, registry.RegisterTTL(time.Minute))
				b.ReportMetric(float64(cpuTime(b, pid)-cpu0)/float64(time.Millisecond)/float64(b.N), "agent-cpu-ms/op")
				b.ReportMetric(float64(conns), "conns")
			})
		}
	}
}

// BenchmarkConsulAgentRestart: a dev agent killed for 2 s and started
// again, empty. back-ms: until a node registered before is registered
// again and passing; current-ms: until another registry's view of it
// serves it again and no longer serves a node nobody registers again.
func BenchmarkConsulAgentRestart(b *testing.B) {
	agent := consultest.StartDev(b)
	tr := &http.Transport{}
	cl, err := api.NewClient(&api.Config{Address: agent.HTTPAddr, HttpClient: &http.Client{Transport: tr}})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range consulContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			writer, viewer := c.new(agent.HTTPAddr), c.new(agent.HTTPAddr)
			b.Cleanup(func() { registry.Close(writer); registry.Close(viewer) })
			s := consulService(900, 1)
			if err := writer.Register(s, registry.RegisterTTL(time.Hour)); err != nil {
				b.Fatal(err)
			}
			var back, current []time.Duration
			lost := 0
			for i := 0; i < b.N; i++ {
				if err := cl.Agent().ServiceRegister(&api.AgentServiceRegistration{ID: "ghost-1", Name: "ghost", Address: "127.0.0.1", Port: 9}); err != nil {
					b.Fatal(err)
				}
				if _, ok := pollFor(10*time.Second, func() bool { g, err := viewer.GetService("ghost"); return err == nil && len(g) > 0 }); !ok {
					b.Fatal("ghost never seen")
				}
				_, _ = viewer.GetService(s.Name)
				agent.Kill()
				time.Sleep(2 * time.Second) // the outage
				agent.Start(b)
				agent.WaitLeader(b, 30*time.Second)
				start := time.Now()
				d, ok := pollFor(15*time.Second, func() bool {
					e, _, err := cl.Health().Service(s.Name, "", true, nil)
					return err == nil && len(e) == 1
				})
				if !ok {
					lost++
				}
				back = append(back, d)
				_, ok = pollFor(15*time.Second, func() bool {
					g, gerr := viewer.GetService("ghost")
					live, lerr := viewer.GetService(s.Name)
					return (gerr != nil || len(g) == 0 || len(g[0].Nodes) == 0) && lerr == nil && len(live) > 0 && len(live[0].Nodes) == 1
				})
				if !ok {
					lost++
				}
				current = append(current, time.Since(start))
				tr.CloseIdleConnections()
			}
			b.ReportMetric(float64(Percentile(back, 0.5).Nanoseconds())/1e6, "back-p50-ms")
			b.ReportMetric(float64(Percentile(back, 0.99).Nanoseconds())/1e6, "back-p99-ms")
			b.ReportMetric(float64(Percentile(current, 0.5).Nanoseconds())/1e6, "current-p50-ms")
			b.ReportMetric(float64(Percentile(current, 0.99).Nanoseconds())/1e6, "current-p99-ms")
			b.ReportMetric(float64(lost), "lost")
		})
	}
}

// pollFor polls cond every 10 ms until it holds or d passes.
func pollFor(d time.Duration, cond func() bool) (time.Duration, bool) {
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			return time.Since(start), false
		}
		time.Sleep(10 * time.Millisecond) // polling interval of the measurement
	}
	return time.Since(start), true
}

// BenchmarkConsulLeaderless: once every server has applied what was
// registered, a 3-server cluster loses its leader and a follower (no
// quorum) for 5 s while a registry on a client agent looks
// up, every 50 ms, a service it viewed before, a service registered
// before that it never looked up, and the service list. Each lookup is
// counted as answered (right), unavailable (the registry said Consul
// cannot answer now: ErrUnavailable for microreg), other-errors (any
// other error, e.g. a raw 500 "No cluster leader") or wrong (an answer
// that is not what is registered: not found, or the wrong nodes).
func BenchmarkConsulLeaderless(b *testing.B) {
	cluster := consultest.StartCluster(b, 3)
	owner := consul.NewRegistry(registry.Addrs(cluster.Client.HTTPAddr))
	b.Cleanup(func() { registry.Close(owner) })
	viewed, unviewed := consulService(950, 2), consulService(951, 2)
	for _, s := range []*registry.Service{viewed, unviewed} {
		for _, n := range s.Nodes {
			one := *s
			one.Nodes = []*registry.Node{n}
			if err := owner.Register(&one, registry.RegisterTTL(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, c := range consulContenders {
		b.Run(Impl(c.name), func(b *testing.B) {
			var answered, unavailable, other, wrong int
			for i := 0; i < b.N; i++ {
				// Every server has applied both services: the server left
				// after the kill must hold what was registered, or a stale
				// read would rightly answer with less (a server restarted by
				// the trial before may still be catching up).
				for _, srv := range cluster.Servers {
					cl, err := api.NewClient(&api.Config{Address: srv.HTTPAddr})
					if err != nil {
						b.Fatal(err)
					}
					for _, s := range []*registry.Service{viewed, unviewed} {
						if _, ok := pollFor(30*time.Second, func() bool {
							e, _, err := cl.Health().Service(s.Name, "", true, &api.QueryOptions{AllowStale: true})
							return err == nil && len(e) == 2
						}); !ok {
							b.Fatalf("server %s never applied both instances of %s", srv.Name, s.Name)
						}
					}
				}
				r := c.new(cluster.Client.HTTPAddr)
				if _, ok := pollFor(10*time.Second, func() bool {
					s, err := r.GetService(viewed.Name)
					return err == nil && len(s) == 1 && len(s[0].Nodes) == 2
				}); !ok {
					b.Fatal("the viewed service is not seen before the loss")
				}
				leader := cluster.LeaderAgent(b)
				follower := cluster.Followers(leader)[0]
				leader.Kill()
				follower.Kill()
				count := func(err error, right bool) {
					switch {
					case err == nil && right:
						answered++
					case err == nil:
						wrong++
					case errors.Is(err, registry.ErrNotFound):
						wrong++
					case errors.Is(err, consul.ErrUnavailable):
						unavailable++
					default:
						other++
					}
				}
				for end := time.Now().Add(5 * time.Second); time.Now().Before(end); {
					for _, s := range []*registry.Service{viewed, unviewed} {
						got, err := r.GetService(s.Name)
						count(err, len(got) == 1 && len(got[0].Nodes) == 2)
					}
					list, err := r.ListServices()
					count(err, slices.ContainsFunc(list, func(s *registry.Service) bool { return s.Name == unviewed.Name }))
					time.Sleep(50 * time.Millisecond) // the pace of the lookups, not a wait for a condition
				}
				registry.Close(r)
				leader.Restart(b)
				follower.Restart(b)
				cluster.Client.WaitLeader(b, 60*time.Second)
			}
			b.ReportMetric(float64(answered)/float64(b.N), "answered/op")
			b.ReportMetric(float64(unavailable)/float64(b.N), "unavailable/op")
			b.ReportMetric(float64(other)/float64(b.N), "other-errors/op")
			b.ReportMetric(float64(wrong)/float64(b.N), "wrong/op")
		})
	}
}
