package gossip

import (
	"math/rand/v2"
	"net"
	"strconv"
	"time"
)

// Partitions. memberlist declares the members it cannot reach dead, and
// after GossipToTheDeadTime stops talking to them; a node joins its seeds
// again only when it finds itself alone. So once a partition has lasted
// that long, each side lives on without the other after the network
// heals, unless someone reaches across. Like serf (ReconnectInterval,
// ReconnectTimeout), every member keeps the members that failed, that is,
// were declared dead without saying they leave, and every reconnect
// interval joins up to three of them at random. One join that succeeds is
// a push/pull of the whole membership: the other side's members come back
// alive (NotifyJoin), each asked for its registrations, with create
// events. Members that said they leave (Close sends a bye) are never
// tried, and a failed member is forgotten after the reconnect timeout.

// failedMember is a member declared dead without leaving.
type failedMember struct {
	addr  string
	since time.Time
}

// maxReconnectsPerRound bounds the joins one reconnect round tries: a few
// dead addresses among the failed cost little, and a round ends soon.
const maxReconnectsPerRound = 3

// noteFailed records member name at host:port as failed, unless it said
// it leaves. g.mu is held.
func (g *Registry) noteFailed(name string, ip net.IP, port uint16) {
	if g.left[name] || g.reconnect.interval <= 0 {
		return
	}
	g.failed[name] = failedMember{addr: net.JoinHostPort(ip.String(), strconv.Itoa(int(port))), since: time.Now()}
}

// reconnector joins failed members again every reconnect interval, until
// Close.
func (g *Registry) reconnector() {
	defer g.wg.Done()
	t := time.NewTicker(g.reconnect.interval)
	defer t.Stop()
	for {
		select {
		case <-g.done:
			return
		case <-t.C:
		}
		g.mu.Lock()
		ml := g.ml
		var addrs []string
		for name, f := range g.failed {
			if time.Since(f.since) > g.reconnect.timeout {
				delete(g.failed, name)
				g.logf(logInfo, "gossip: %s failed %v ago: no longer tried", name, g.reconnect.timeout)
				continue
			}
			addrs = append(addrs, f.addr)
		}
		g.mu.Unlock()
		rand.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })
		for i, addr := range addrs {
			if i == maxReconnectsPerRound {
				break
			}
			select {
			case <-g.done:
				return
			default:
			}
			if n, err := ml.Join([]string{addr}); err == nil && n > 0 {
				g.logf(logInfo, "gossip: reconnected to %s, a member that had failed", addr)
				break
			}
		}
	}
}
