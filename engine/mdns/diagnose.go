package mdns

import (
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/microreg/microreg/engine"
)

// Diagnose checks, in mDNS terms, why service is or is not found (see
// engine.Diagnose, which adds the checks every backend shares): the
// interfaces up and multicast-capable and those joined; a container or a
// host with only loopback; whether any other node answered a short
// listen; nodes in go-micro's own format; and with a service not found
// here, whether it answers on an interface this registry did not join.
func (r *Registry) Diagnose(ctx context.Context, service string) []engine.Finding {
	all, _ := net.Interfaces()
	out := []engine.Finding{r.checkInterfaces(all), checkContainer()}
	if r.ready() != nil {
		return out
	}
	out = append(out, r.checkTraffic(ctx), r.checkGoMicro(), r.checkSignatures(), r.checkLimits())
	if service != "" {
		if _, err := r.GetService(service, engine.GetContext(ctx)); err != nil {
			out = append(out, r.checkOtherInterfaces(ctx, service, all))
		}
	}
	return out
}

// browsers is how to look at what the link carries with the platform's own
// DNS-SD browsers, which read microreg's nodes (dnssd.go).
const browsers = "see what the link carries with `avahi-browse -r _microreg._tcp` (Linux) or `dns-sd -B _microreg._tcp` (macOS)"

// multicastUp reports an interface mDNS can use.
func multicastUp(ifi net.Interface) bool {
	return ifi.Flags&net.FlagUp != 0 && ifi.Flags&net.FlagMulticast != 0
}

// checkInterfaces compares the interfaces up and multicast-capable with
// those joined.
func (r *Registry) checkInterfaces(all []net.Interface) engine.Finding {
	f := engine.Finding{Check: "interfaces"}
	var usable, loopbackOnly []string
	for _, ifi := range all {
		if multicastUp(ifi) {
			usable = append(usable, ifi.Name)
		}
	}
	loopbackOnly = usable
	for _, ifi := range all {
		if multicastUp(ifi) && ifi.Flags&net.FlagLoopback == 0 {
			loopbackOnly = nil
		}
	}
	slices.Sort(usable)
	joined := r.Interfaces()
	if err := r.ready(); err != nil {
		f.Status = engine.StatusFail
		f.Finding = fmt.Sprintf("%v; up and multicast-capable: %s", err, listOrNone(usable))
		f.Fix = "name an interface that is up and has multicast on (mdns.Interface, --interface); `ip link set IF multicast on`"
		return f
	}
	f.Finding = fmt.Sprintf("joined %s; up and multicast-capable: %s", strings.Join(joined, ", "), listOrNone(usable))
	var dead []string
	for _, j := range joined {
		if !slices.Contains(usable, j) {
			dead = append(dead, j)
		}
	}
	switch {
	case len(dead) > 0:
		f.Status = engine.StatusFail
		f.Finding = fmt.Sprintf("joined %s, which is down or has multicast off: nothing is sent or heard there; up and multicast-capable: %s", strings.Join(dead, ", "), listOrNone(usable))
		f.Fix = "`ip link set IF up multicast on`, or name an interface that has it (mdns.Interface, --interface)"
	case len(loopbackOnly) > 0:
		f.Status = engine.StatusWarn
		f.Finding += "; only loopback"
		f.Fix = "only processes on this host can be found; other hosts need an interface on their network"
	default:
		var left []string
		for _, u := range usable {
			if !slices.Contains(joined, u) {
				left = append(left, u)
			}
		}
		if len(left) > 0 {
			f.Status = engine.StatusWarn
			f.Finding += "; not joined: " + strings.Join(left, ", ")
			f.Fix = "services announced only there are not heard here; join them with mdns.Interface"
		}
	}
	return f
}

// checkContainer looks for the signs of a container, whose network
// rarely carries multicast to other hosts.
func checkContainer() engine.Finding {
	f := engine.Finding{Check: "container"}
	for _, p := range []string{"/.dockerenv", "/run/.containerenv"} {
		if _, err := os.Stat(p); err == nil {
			f.Status = engine.StatusWarn
			f.Finding = "inside a container (" + p + ")"
		}
	}
	if b, err := os.ReadFile("/proc/1/cgroup"); err == nil {
		for _, sign := range []string{"docker", "kubepods", "containerd", "lxc"} {
			if f.Status == engine.StatusOK && strings.Contains(string(b), sign) {
				f.Status, f.Finding = engine.StatusWarn, "inside a container ("+sign+" in /proc/1/cgroup)"
			}
		}
	}
	if f.Status == engine.StatusOK {
		f.Finding = "no sign of a container"
		return f
	}
	f.Fix = "a container's bridge network rarely passes multicast: run with the host's network (docker run --network host) or use consul or gossip"
	return f
}

// checkTraffic asks every node on the link for its services and reports
// whether any other node answered within the query timeout.
func (r *Registry) checkTraffic(ctx context.Context) engine.Finding {
	f := engine.Finding{Check: "traffic"}
	start := time.Now()
	r.browse(ctx)
	r.mu.Lock()
	heard := len(r.heardNodes)
	r.mu.Unlock()
	if heard == 0 {
		f.Status = engine.StatusWarn
		f.Finding = fmt.Sprintf("no other node answered in %v", time.Since(start).Round(100*time.Millisecond))
		f.Fix = "nothing registered on the link, or UDP 5353 blocked (a firewall: allow it in and out), or the others on another interface; " + browsers
		return f
	}
	f.Finding = fmt.Sprintf("heard %d node(s) of other processes", heard)
	return f
}

// checkGoMicro counts the nodes heard in go-micro's own mdns format.
func (r *Registry) checkGoMicro() engine.Finding {
	f := engine.Finding{Check: "go-micro"}
	r.mu.Lock()
	n := 0
	for _, gm := range r.heardNodes {
		if gm {
			n++
		}
	}
	on := r.goMicro
	r.mu.Unlock()
	switch {
	case !on:
		f.Finding = "go-micro's own format is off (mdns.GoMicro(false)): its nodes are not read"
	case n == 0:
		f.Finding = "no node in go-micro's own mdns format heard"
	default:
		f.Finding = fmt.Sprintf("%d nodes heard in go-micro's own mdns format, read as such", n)
	}
	return f
}

// checkOtherInterfaces asks for service on each interface up and
// multicast-capable that this registry did not join.
func (r *Registry) checkOtherInterfaces(ctx context.Context, service string, all []net.Interface) engine.Finding {
	f := engine.Finding{Check: "other interfaces"}
	joined := r.Interfaces()
	var found, asked []string
	slices.SortFunc(all, func(a, b net.Interface) int { return strings.Compare(a.Name, b.Name) })
	for _, ifi := range all {
		if !multicastUp(ifi) || slices.Contains(joined, ifi.Name) {
			continue
		}
		asked = append(asked, ifi.Name)
		probe, err := New(Interface(ifi.Name), QueryTimeout(r.timeout), engine.WithLogger(r.Options().Logger))
		if err != nil {
			continue
		}
		if s, err := probe.GetService(service, engine.GetContext(ctx)); err == nil && len(s) > 0 {
			found = append(found, ifi.Name)
		}
		_ = probe.Close()
	}
	switch {
	case len(found) > 0:
		f.Status = engine.StatusFail
		f.Finding = fmt.Sprintf("%s answers on %s, which this registry has not joined (it joined %s)", service, strings.Join(found, ", "), strings.Join(joined, ", "))
		f.Fix = "join that interface: mdns.Interface(" + fmt.Sprintf("%q", found[0]) + "), or --interface " + found[0] + "; " + browsers
	case len(asked) == 0:
		f.Finding = "no other interface to ask"
		f.Fix = browsers
	default:
		f.Finding = fmt.Sprintf("%s does not answer on %s either", service, strings.Join(asked, ", "))
		f.Fix = browsers
	}
	return f
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}
