package consultest

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
)

// Proxy is a reverse proxy on loopback in front of an agent's HTTP API
// that counts the answers it passes back, by path: what a registry behind
// it asks of its agent, blocking queries included (FlushInterval -1, so
// an answer goes back as soon as the agent gives it).
type Proxy struct {
	Addr string // host:port to give a registry instead of the agent's

	mu      sync.Mutex
	answers map[string]int
}

// StartProxy starts a Proxy to agent; it closes when the test ends.
func StartProxy(tb TB, agent *Agent) *Proxy {
	tb.Helper()
	target, err := url.Parse("http://" + agent.HTTPAddr)
	if err != nil {
		tb.Fatalf("consultest: %v", err)
	}
	p := &Proxy{answers: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.FlushInterval = -1
	// A blocking query its client gave up (a registry closing) is no error.
	rp.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) { w.WriteHeader(http.StatusBadGateway) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rp.ServeHTTP(w, r)
		if r.Context().Err() == nil {
			p.mu.Lock()
			p.answers[r.URL.Path]++
			p.mu.Unlock()
		}
	}))
	tb.Cleanup(func() {
		srv.CloseClientConnections() // blocking queries would hold Close for minutes
		srv.Close()
	})
	p.Addr = srv.Listener.Addr().String()
	return p
}

// Answers returns the answers passed back so far, by path, and starts
// counting from zero.
func (p *Proxy) Answers() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.answers
	p.answers = map[string]int{}
	return out
}
