package mdnsbench

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"

	"github.com/microreg/microreg/bench"
	"github.com/microreg/microreg/registry"
)

// burstServices is how many services BenchmarkMDNSBurst registers at once.
const burstServices = 300

// goMicroLike is a service the way a go-micro server registers it: five
// node metadata keys and one endpoint.
func goMicroLike(prefix string, i int) *registry.Service {
	return &registry.Service{
		Name:    fmt.Sprintf("%s-%03d", prefix, i),
		Version: "latest",
		Endpoints: []*registry.Endpoint{{
			Name:     "Handler.Call",
			Request:  &registry.Value{Name: "Request", Type: "Request"},
			Response: &registry.Value{Name: "Response", Type: "Response"},
			Metadata: map[string]string{"stream": "false"},
		}},
		Nodes: []*registry.Node{{
			Id:      fmt.Sprintf("%s-%03d-6f1c2a4e-9b7d-4e1a-8c3f-%012d", prefix, i, i),
			Address: fmt.Sprintf("127.0.0.1:%d", 20000+i),
			Metadata: map[string]string{
				"broker": "http", "protocol": "mucp", "registry": "mdns", "server": "mucp", "transport": "http",
			},
		}},
	}
}

// listed counts the services r lists whose name starts with prefix.
func listed(r registry.Registry, prefix string) int {
	l, err := r.ListServices()
	if err != nil {
		return 0
	}
	n := 0
	for _, s := range l {
		if strings.HasPrefix(s.Name, prefix+"-") {
			n++
		}
	}
	return n
}

// BenchmarkMDNSBurst: 300 go-micro-like services registered at once on one
// registry. before-ms: until a registry that existed before the burst (and
// had listed once) lists all 300; after-ms: until one created after the
// burst does; browse-packets and browse-bytes: the answer to one listing
// query (microreg's browse type, go-micro's _services) sent from an
// ephemeral port, as both queriers send it.
func BenchmarkMDNSBurst(b *testing.B) {
	for _, c := range contenders {
		b.Run(bench.Impl(c.name), func(b *testing.B) {
			var before, after []time.Duration
			var packets, bytes, lost int
			for i := 0; i < b.N; i++ {
				prefix := unique("burst")
				early := c.new()
				listed(early, prefix)
				a := c.new()
				for j := 0; j < burstServices; j++ {
					if err := a.Register(goMicroLike(prefix, j)); err != nil {
						b.Fatal(err)
					}
				}
				d, ok := within(30*time.Second, func() bool { return listed(early, prefix) == burstServices })
				if !ok {
					lost++
				}
				before = append(before, d)
				late := c.new()
				start := time.Now()
				d, ok = within(30*time.Second, func() bool { return listed(late, prefix) == burstServices })
				if !ok {
					lost++
				}
				after = append(after, time.Since(start))
				_ = d
				question := "_microreg._tcp.local."
				if c.name == "gomicro" {
					question = "_services.micro."
				}
				p, n := browseAnswer(b, question)
				packets, bytes = packets+p, bytes+n
				registry.Close(late)
				registry.Close(a)
				registry.Close(early)
			}
			b.ReportMetric(float64(bench.Percentile(before, 0.5).Nanoseconds())/1e6, "before-p50-ms")
			b.ReportMetric(float64(bench.Percentile(before, 0.99).Nanoseconds())/1e6, "before-p99-ms")
			b.ReportMetric(float64(bench.Percentile(after, 0.5).Nanoseconds())/1e6, "after-p50-ms")
			b.ReportMetric(float64(bench.Percentile(after, 0.99).Nanoseconds())/1e6, "after-p99-ms")
			b.ReportMetric(float64(packets)/float64(b.N), "browse-packets")
			b.ReportMetric(float64(bytes)/float64(b.N), "browse-bytes")
			b.ReportMetric(float64(lost), "lost")
		})
	}
}

// browseAnswer sends one PTR query for question from an ephemeral port on
// lo and counts the datagrams and bytes that answer it within a second.
func browseAnswer(b *testing.B, question string) (packets, bytes int) {
	b.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4zero})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		b.Fatal(err)
	}
	p := ipv4.NewPacketConn(c)
	if err := p.SetMulticastInterface(lo); err != nil {
		b.Fatal(err)
	}
	_ = p.SetMulticastLoopback(true)
	msg := new(dns.Msg)
	msg.SetQuestion(question, dns.TypePTR)
	msg.RecursionDesired = false
	buf, err := msg.Pack()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.WriteToUDP(buf, &net.UDPAddr{IP: net.IPv4(224, 0, 0, 251), Port: 5353}); err != nil {
		b.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	in := make([]byte, 65536)
	for {
		n, _, err := c.ReadFromUDP(in)
		if err != nil {
			return packets, bytes
		}
		packets, bytes = packets+1, bytes+n
	}
}

// BenchmarkMDNSLateLookup: a registry created after the registration (as a
// client process started after its server) looks the service up, while
// other registries on the host announce 20 services: the time until its
// GetService finds the node.
func BenchmarkMDNSLateLookup(b *testing.B) {
	for _, c := range contenders {
		b.Run(bench.Impl(c.name), func(b *testing.B) {
			noise, a := c.new(), c.new()
			b.Cleanup(func() { registry.Close(a); registry.Close(noise) })
			prefix := unique("noise")
			for i := 0; i < 20; i++ {
				if err := noise.Register(goMicroLike(prefix, i)); err != nil {
					b.Fatal(err)
				}
			}
			name := unique("late")
			if err := a.Register(svc(name)); err != nil {
				b.Fatal(err)
			}
			var times []time.Duration
			lost := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r := c.new()
				d, ok := within(5*time.Second, func() bool { return found(r, name) })
				if !ok {
					lost++
				}
				times = append(times, d)
				registry.Close(r)
			}
			bench.ReportLatency(b, times)
			b.ReportMetric(float64(lost), "lost")
		})
	}
}

// pairs are the mixed fleets: the registry a service registers with, and
// the one another process finds it with; go-micro to go-micro is the
// reference.
var pairs = []struct{ from, to string }{
	{"gomicro", "microreg"},
	{"microreg", "gomicro"},
	{"gomicro", "gomicro"},
	{"microreg", "microreg"},
}

func contender(name string) func() registry.Registry {
	for _, c := range contenders {
		if c.name == name {
			return c.new
		}
	}
	panic("no contender " + name)
}

// BenchmarkMDNSMixedDiscover: a new service registered on one kind of
// registry, timed until the other kind's GetService finds it.
func BenchmarkMDNSMixedDiscover(b *testing.B) {
	for _, p := range pairs {
		b.Run("from="+p.from+"/to="+p.to, func(b *testing.B) {
			a, r := contender(p.from)(), contender(p.to)()
			b.Cleanup(func() { registry.Close(a); registry.Close(r) })
			discover(b, a, r)
		})
	}
}

// BenchmarkMDNSMixedGoodbye: a service deregistered on one kind of
// registry, timed until the other kind's GetService stops finding it.
func BenchmarkMDNSMixedGoodbye(b *testing.B) {
	for _, p := range pairs {
		b.Run("from="+p.from+"/to="+p.to, func(b *testing.B) {
			a, r := contender(p.from)(), contender(p.to)()
			b.Cleanup(func() { registry.Close(a); registry.Close(r) })
			goodbye(b, a, r)
		})
	}
}
