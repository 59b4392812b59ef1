package mdns

import (
	"context"
	"errors"
	"time"

	"github.com/miekg/dns"

	"github.com/microreg/microreg/engine"
)

const (
	// settle is how long answers must stop coming before a first lookup
	// returns.
	settle = 30 * time.Millisecond
	// reaskGap is how soon a go-micro service named in a listing is asked
	// for again.
	reaskGap = time.Second
)

// ask sends PTR questions for names from every link's querier (an
// ephemeral port: every responder answers it by unicast, go-micro's too),
// as few messages as fit.
func (r *Registry) ask(names ...string) {
	if len(names) == 0 {
		return
	}
	var msgs [][]byte
	msg := &dns.Msg{Compress: true}
	msg.Id = dns.Id()
	for _, name := range names {
		msg.Question = append(msg.Question, dns.Question{Name: name, Qtype: dns.TypePTR, Qclass: dns.ClassINET})
		if len(msg.Question) > 1 && msg.Len() > maxMessage {
			msg.Question = msg.Question[:len(msg.Question)-1]
			if b, err := msg.Pack(); err == nil {
				msgs = append(msgs, b)
			}
			msg = &dns.Msg{Compress: true, Question: []dns.Question{{Name: name, Qtype: dns.TypePTR, Qclass: dns.ClassINET}}}
			msg.Id = dns.Id()
		}
	}
	if b, err := msg.Pack(); err == nil {
		msgs = append(msgs, b)
	}
	var out []packet
	for _, l := range r.links {
		for _, b := range msgs {
			out = append(out, packet{conn: l.querier, to: l.group, buf: b})
		}
	}
	r.out.push(out...)
}

// lookupNames are the names a service is asked for by: its DNS-SD
// subtype, the type older microreg announced it under, and, unless
// go-micro's format is off or cannot hold it, go-micro's name.
func (r *Registry) lookupNames(service string) []string {
	names := []string{subtypeName(service, r.domain), legacyTypeName(service, r.domain)}
	if r.goMicro && goMicroNameOK(service, "x") {
		names = append(names, goMicroName(service))
	}
	return names
}

// browseNames are the names that list every service: microreg's browse
// type and go-micro's listing.
func (r *Registry) browseNames() []string {
	names := []string{typeName(r.domain)}
	if r.goMicro {
		names = append(names, goMicroServices)
	}
	return names
}

// query asks for a service and returns once answers for it stop coming
// for a moment (settle), or at the query timeout.
func (r *Registry) query(ctx context.Context, name string) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	w, err := r.store.Watch(engine.WatchService(name))
	if err != nil {
		return
	}
	heard := make(chan struct{}, 1)
	pumped := make(chan struct{})
	go func() {
		defer close(pumped)
		for {
			if _, err := w.Next(); errors.Is(err, engine.ErrWatcherStopped) {
				return
			}
			select {
			case heard <- struct{}{}:
			default:
			}
		}
	}()
	defer func() { w.Stop(); <-pumped }()
	r.ask(r.lookupNames(name)...)
	r.settled(ctx, func() <-chan struct{} { return heard })
}

// settled returns once answers have stopped coming for settle and none
// waits to be handled, or when ctx ends; next returns a channel that
// fires at the next answer.
func (r *Registry) settled(ctx context.Context, next func() <-chan struct{}) {
	var quiet <-chan time.Time
	for {
		select {
		case <-next():
			quiet = time.After(settle)
		case <-quiet:
			if r.pending() {
				quiet = time.After(settle)
				continue
			}
			return
		case <-ctx.Done():
			return
		}
	}
}

// pending reports whether datagrams already received wait to be handled:
// answers are not settled while this registry is still reading them.
func (r *Registry) pending() bool {
	return r.inflight.Load() > 0
}

// browse asks for every service and returns once answers stop coming for
// a moment, or at the query timeout. A go-micro listing's names are asked
// for as they come (learn), so their answers count too.
func (r *Registry) browse(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	heard := r.heardChan()
	r.ask(r.browseNames()...)
	r.settled(ctx, func() <-chan struct{} {
		ch := heard
		heard = r.heardChan()
		return ch
	})
}

// askGoMicro asks go-micro's responders for the services a listing named
// and this registry has no node of, each at most once in reaskGap.
func (r *Registry) askGoMicro(services []string) {
	now := time.Now()
	var names []string
	r.mu.Lock()
	for _, s := range services {
		if now.Sub(r.asked[s]) < reaskGap {
			continue
		}
		if _, err := r.store.Get(s); err == nil {
			continue
		}
		r.asked[s] = now
		names = append(names, goMicroName(s))
	}
	r.mu.Unlock()
	r.ask(names...)
}

// refreshGoMicro asks again for the go-micro services whose nodes were
// heard half their TTL ago: go-micro never re-announces, so without this
// its live nodes would expire from the cache. A node that does not answer
// expires when its records do.
func (r *Registry) refreshGoMicro(now time.Time) {
	var names []string
	r.mu.Lock()
	for s, at := range r.asked {
		if now.Sub(at) >= reaskGap {
			delete(r.asked, s)
		}
	}
	for s, at := range r.refresh {
		if now.Before(at) {
			continue
		}
		if _, err := r.store.Get(s); err != nil {
			delete(r.refresh, s)
			continue
		}
		r.refresh[s] = now.Add(reaskGap * 5)
		names = append(names, goMicroName(s))
	}
	r.mu.Unlock()
	r.ask(names...)
}
