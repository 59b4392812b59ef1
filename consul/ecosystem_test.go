package consul_test

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	consulplugin "github.com/go-micro/plugins/v4/registry/consul"
	"github.com/hashicorp/consul/api"
	"github.com/miekg/dns"
	"go-micro.dev/v4"
	"go-micro.dev/v4/client"
	"go-micro.dev/v4/selector"

	"github.com/microreg/microreg/consul"
	"github.com/microreg/microreg/examples/greeter"
	pb "github.com/microreg/microreg/examples/greeter/proto"
	"github.com/microreg/microreg/internal/consultest"
	"github.com/microreg/microreg/registry"
)

func legibleService(name string) *registry.Service {
	return &registry.Service{
		Name: name, Version: "1.4.0",
		Metadata:  map[string]string{"team": "payments"},
		Endpoints: []*registry.Endpoint{{Name: "Say.Hello", Request: &registry.Value{Name: "Request", Type: "Request"}}},
		Nodes: []*registry.Node{{Id: name + "-1", Address: "127.0.0.1:9301",
			Metadata: map[string]string{"protocol": "mucp", "transport": "http", "zone": "eu-1"}}},
	}
}

// What Consul's own tools see of a microreg registration: readable Meta,
// the user's tags and Meta, the plugin's tags, through the CLI, the HTTP
// API and DNS.
func TestConsulToolsReadRegistrations(t *testing.T) {
	agent := consultest.StartDev(t)
	r := open(t, agent.HTTPAddr, consul.Tags("traefik.enable=true"), consul.Meta(map[string]string{"env": "prod"}))
	s := legibleService("legible")
	ctx := consul.WithTags(context.Background(), "canary")
	if err := r.Register(s, registry.RegisterContext(ctx)); err != nil {
		t.Fatal(err)
	}

	out, err := exec.Command(consultest.Binary(t), "catalog", "services", "-tags", "-http-addr="+agent.HTTPAddr).CombinedOutput()
	if err != nil {
		t.Fatalf("consul catalog services: %v\n%s", err, out)
	}
	t.Logf("consul catalog services -tags:\n%s", out)
	line := lineOf(string(out), "legible")
	for _, want := range []string{"traefik.enable=true", "canary", "microreg", "microreg-version=1.4.0", "v-", "t-", "e-"} {
		if !strings.Contains(line, want) {
			t.Errorf("consul catalog services -tags: the legible line %q lacks %q", line, want)
		}
	}

	c, err := api.NewClient(&api.Config{Address: agent.HTTPAddr})
	if err != nil {
		t.Fatal(err)
	}
	entries, _, err := c.Health().Service("legible", "", true, nil)
	if err != nil || len(entries) != 1 {
		t.Fatalf("/v1/health/service/legible: %d entries, %v", len(entries), err)
	}
	meta := entries[0].Service.Meta
	for k, want := range map[string]string{"protocol": "mucp", "transport": "http", "zone": "eu-1", "team": "payments", "env": "prod"} {
		if meta[k] != want {
			t.Errorf("/v1/health/service/legible Meta[%s] = %q, want %q (all: %v)", k, meta[k], want, meta)
		}
	}

	// Heartbeats and go-micro's periodic re-registration (no context)
	// keep the user's tags.
	if err := r.Register(s); err != nil {
		t.Fatal(err)
	}
	changed := legibleService("legible")
	changed.Nodes[0].Metadata["zone"] = "eu-2"
	if err := r.Register(changed); err != nil {
		t.Fatal(err)
	}
	entries, _, err = c.Health().Service("legible", "", true, nil)
	if err != nil || len(entries) != 1 {
		t.Fatalf("after re-registering: %d entries, %v", len(entries), err)
	}
	tags := strings.Join(entries[0].Service.Tags, " ")
	if !strings.Contains(tags, "canary") || !strings.Contains(tags, "traefik.enable=true") || entries[0].Service.Meta["zone"] != "eu-2" {
		t.Fatalf("after a changed re-registration: tags %q, zone %q", tags, entries[0].Service.Meta["zone"])
	}

	// Consul DNS: an SRV lookup of the service, and of it by tag.
	for _, q := range []string{"legible.service.consul.", "canary.legible.service.consul."} {
		m := new(dns.Msg)
		m.SetQuestion(q, dns.TypeSRV)
		in, err := dns.Exchange(m, agent.DNSAddr)
		if err != nil {
			t.Fatalf("DNS %s: %v", q, err)
		}
		if len(in.Answer) != 1 || in.Answer[0].(*dns.SRV).Port != 9301 {
			t.Fatalf("DNS SRV %s: %v", q, in.Answer)
		}
	}
}

func lineOf(out, first string) string {
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == first {
			return l
		}
	}
	return ""
}

// go-micro's consul plugin (v1.2.1) reads microreg's registrations whole:
// version, service metadata aside (the plugin has no place for it), node
// metadata and endpoints.
func TestPluginReadsMicroregRegistrations(t *testing.T) {
	agent := consultest.StartDev(t)
	r := open(t, agent.HTTPAddr)
	s := legibleService("read-by-plugin")
	if err := r.Register(s); err != nil {
		t.Fatal(err)
	}
	plugin := consulplugin.NewRegistry(registry.Addrs(agent.HTTPAddr))
	got, err := plugin.GetService("read-by-plugin")
	if err != nil || len(got) != 1 || len(got[0].Nodes) != 1 {
		t.Fatalf("plugin GetService: %v, %v", got, err)
	}
	g, n := got[0], got[0].Nodes[0]
	if g.Version != "1.4.0" || len(g.Endpoints) != 1 || g.Endpoints[0].Name != "Say.Hello" ||
		fmt.Sprint(n.Metadata) != fmt.Sprint(s.Nodes[0].Metadata) || n.Address != "127.0.0.1:9301" {
		t.Fatalf("the plugin read version %q, endpoints %v, node %+v", g.Version, g.Endpoints, n)
	}
}

// A fleet half on the plugin, half on microreg: a plugin client calls a
// greeter registered through microreg, and a microreg client one
// registered through the plugin, both selecting by version as go-micro's
// selector filters do.
func TestMixedFleetWithThePlugin(t *testing.T) {
	agent := consultest.StartDev(t)
	for _, c := range []struct {
		name           string
		server, client func() registry.Registry
	}{
		{"plugin-client_microreg-server", func() registry.Registry { return open(t, agent.HTTPAddr) },
			func() registry.Registry { return consulplugin.NewRegistry(registry.Addrs(agent.HTTPAddr)) }},
		{"microreg-client_plugin-server", func() registry.Registry { return consulplugin.NewRegistry(registry.Addrs(agent.HTTPAddr)) },
			func() registry.Registry { return open(t, agent.HTTPAddr) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			svc, err := greeter.NewServer(c.server(), micro.Address("127.0.0.1:0"))
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.Server().Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = svc.Server().Stop() })
			cl := greeter.NewClient(c.client()).Client()
			t.Cleanup(func() { _ = cl.Options().Selector.Close() }) // stops its cache's watch
			say := greeter.NewSayService(greeter.ServiceName, cl)
			deadline := time.Now().Add(15 * time.Second)
			for {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				rsp, err := say.Hello(ctx, &pb.Request{Name: "Ann"},
					client.WithSelectOption(selector.WithFilter(selector.FilterVersion("latest"), selector.FilterLabel("protocol", "mucp"))))
				cancel()
				if err == nil {
					if rsp.Msg != "Hello Ann" {
						t.Fatalf("reply %q", rsp.Msg)
					}
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("no answer within 15s: %v", err)
				}
				time.Sleep(100 * time.Millisecond) // retry interval while the registration settles
			}
		})
	}
}
