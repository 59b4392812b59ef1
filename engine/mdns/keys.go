package mdns

import (
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/microreg/microreg/engine"
)

// maxDropLogs bounds how many (reason, sender, instance) triples a signed
// registry logs; it counts every drop.
const maxDropLogs = 256

// dropStats is what a signed registry dropped (doctor shows it).
type dropStats struct {
	count  map[string]int64 // by reason
	logged map[string]bool  // reason, sender and instance: logged once
	last   []string         // the last few, newest first
}

// keysFrom returns the keys Keys gives, or else EnvKey's, each checked.
func keysFrom(o engine.Options) ([][]byte, error) {
	keys, ok := engine.ContextValue[[][]byte](o, keysKey{})
	if !ok {
		return engine.KeysFromEnv()
	}
	for i, k := range keys {
		switch len(k) {
		case 16, 24, 32:
		default:
			return nil, fmt.Errorf("%w: key %d is %d bytes, want 16, 24 or 32", engine.ErrBadKey, i+1, len(k))
		}
	}
	return keys, nil
}

// keyring returns the registry's keys; nil: it neither signs nor checks.
func (r *Registry) keyring() *keyring {
	r.keysMu.RLock()
	defer r.keysMu.RUnlock()
	return r.keys
}

// rekey makes keys the registry's keys (Init(Keys(...))): its own nodes
// are signed again with the first and announced.
func (r *Registry) rekey(keys [][]byte) error {
	if len(keys) == 0 {
		return fmt.Errorf("mdns: %w: a signed registry cannot stop signing (Keys with no key)", engine.ErrOption)
	}
	kr := newKeyring(keys)
	r.mu.Lock()
	if r.keyring() == nil {
		r.mu.Unlock()
		return fmt.Errorf("mdns: %w: signing cannot be turned on in a running registry (start it with Keys)", engine.ErrOption)
	}
	r.keysMu.Lock()
	r.keys = kr
	r.keysMu.Unlock()
	var resigned []*ownNode
	for key, own := range r.own {
		mr, err := microregRecords(own.svc, r.domain, own.mr.ip, int(own.mr.port), own.conflict, kr, own.at)
		if err != nil {
			r.mu.Unlock()
			return err
		}
		n := *own
		n.mr = mr
		r.setOwnLocked(key, &n)
		resigned = append(resigned, &n)
	}
	r.mu.Unlock()
	r.announce(resigned, false)
	return nil
}

// fresh reports whether p is newer than what was heard of its node (a
// goodbye if bye), on a signed registry; an unsigned one takes all.
func (r *Registry) fresh(p txtPayload, bye bool) bool {
	if r.keyring() == nil {
		return true
	}
	n := p.Service.Nodes[0]
	key := nodeLabel(p.Service.Name, p.Service.Version, n.Id)
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.latest[key]
	if f == nil {
		f = &freshness{}
		r.latest[key] = f
	}
	return f.fresh(p.At, bye)
}

// drop counts a record dropped for why, and logs it once for each sender
// and instance.
func (r *Registry) drop(why string, rr dns.RR, from *net.UDPAddr) {
	sender := "?"
	if from != nil {
		sender = from.IP.String()
	}
	line := fmt.Sprintf("%s from %s (%s)", firstLabel(rr.Header().Name), sender, why)
	r.mu.Lock()
	d := &r.dropped
	if d.count == nil {
		d.count, d.logged = map[string]int64{}, map[string]bool{}
	}
	d.count[why]++
	d.last = slices.DeleteFunc(d.last, func(l string) bool { return l == line })
	d.last = append([]string{line}, d.last[:min(len(d.last), 4)]...)
	first := !d.logged[line] && len(d.logged) < maxDropLogs
	if first {
		d.logged[line] = true
	}
	r.mu.Unlock()
	if first {
		r.logf("mdns: dropped a record of %s: this registry has keys and reads only records signed with one (logged once; doctor counts them)", line)
	}
}

// checkSignatures reports a signed registry's keys (by id) and what it
// dropped.
func (r *Registry) checkSignatures() engine.Finding {
	f := engine.Finding{Check: "signatures"}
	kr := r.keyring()
	if kr == nil {
		f.Finding = "records are neither signed nor checked: any host on the link can announce any service (mdns.Keys signs them)"
		return f
	}
	ids := slices.Clone(kr.ids)
	ids[0] += " (signs)"
	r.mu.Lock()
	d := r.dropped
	counts := make([]string, 0, len(d.count))
	for _, why := range []string{dropUnsigned, dropUnknownKey, dropBadMAC, dropReplay} {
		if n := d.count[why]; n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, why))
		}
	}
	last := slices.Clone(d.last)
	r.mu.Unlock()
	f.Finding = "records signed and checked, keys " + strings.Join(ids, ", ")
	if len(counts) == 0 {
		f.Finding += "; nothing dropped"
		return f
	}
	f.Status = engine.StatusWarn
	f.Finding += fmt.Sprintf("; dropped %s, the last: %s", strings.Join(counts, ", "), strings.Join(last, "; "))
	f.Fix = "a host without the key announces these names: if it is yours, give it the key (mdns.Keys, " + engine.EnvKey + "); if not, it is trying to take the service's calls"
	return f
}

// firstLabel is a name's first label as text (an instance name: "greeter
// 1.0.3 [id]"), quoted if it holds anything but printable ASCII.
func firstLabel(name string) string {
	buf := make([]byte, 256)
	n, err := dns.PackDomainName(dns.Fqdn(name), buf, 0, nil, false)
	if err != nil || n == 0 || int(buf[0])+1 > n {
		return fmt.Sprintf("%q", name)
	}
	label := string(buf[1 : 1+int(buf[0])])
	for _, c := range []byte(label) {
		if c < 0x20 || c > 0x7e {
			return fmt.Sprintf("%q", label)
		}
	}
	return label
}
