package mdns

import (
	"strings"
	"sync"
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
	m  map[string]txtPayload
}

// decode is decodePayload through the cache.
func (c *txtCache) decode(txt []string) (p txtPayload, ours bool, err error) {
	if !isMicroreg(txt) {
		return p, false, nil
	}
	key := strings.Join(txt, "\x00")
	c.mu.Lock()
	p, hit := c.m[key]
	c.mu.Unlock()
	if hit {
		return p, true, nil
	}
	p, ours, err = decodePayload(txt)
	if err != nil || !ours {
		return p, ours, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= txtCacheSize {
		c.m = make(map[string]txtPayload)
	}
	c.m[key] = p
	c.mu.Unlock()
	return p, true, nil
}
