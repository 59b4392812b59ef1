package mdns

import (
	"strings"
	"sync"

	"github.com/microreg/microreg/engine"
)

// txtCacheSize bounds the decoded-TXT cache; when full it starts afresh.
const txtCacheSize = 1024

// txtCache remembers what TXT data decoded to. A node's TXT is the same in
// every re-announcement, in the copy heard on each socket (IPv4 and IPv6)
// and in its goodbye, so most packets are decoded once: a goodbye, the
// change a watcher waits for, costs a map lookup instead of zlib and JSON.
// Only good data is kept, and the services it holds are never changed
// (the store copies what it registers).
type txtCache struct {
	mu sync.Mutex
	m  map[string]*engine.Service
}

// decode is decodeTXT through the cache.
func (c *txtCache) decode(txt []string) (s *engine.Service, ours bool, err error) {
	if !isMicroreg(txt) {
		return nil, false, nil
	}
	key := strings.Join(txt, "\x00")
	c.mu.Lock()
	s = c.m[key]
	c.mu.Unlock()
	if s != nil {
		return s, true, nil
	}
	s, ours, err = decodeTXT(txt)
	if err != nil || !ours {
		return s, ours, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= txtCacheSize {
		c.m = make(map[string]*engine.Service)
	}
	c.m[key] = s
	c.mu.Unlock()
	return s, true, nil
}
