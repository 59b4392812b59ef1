package consultest

import "sync"

// logTail keeps the last bytes an agent printed: enough to explain a
// failure, and bounded, so that a long run (a benchmark registering
// thousands of instances, each logged) does not grow the test's heap.
type logTail struct {
	mu  sync.Mutex
	buf []byte
}

// logTailSize is how much of an agent's output is kept.
const logTailSize = 64 << 10

func (l *logTail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if over := len(l.buf) - logTailSize; over > 0 {
		l.buf = append(l.buf[:0], l.buf[over:]...)
	}
	return len(p), nil
}

func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}
