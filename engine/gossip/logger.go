package gossip

import (
	"bytes"
	"log"

	"github.com/microreg/microreg/engine"
)

const (
	logDebug = engine.DebugLevel
	logInfo  = engine.InfoLevel
	logWarn  = engine.WarnLevel
	logError = engine.ErrorLevel
)

func (g *Registry) logf(level engine.Level, format string, args ...any) {
	g.optsMu.RLock()
	l := g.opts.Logger
	g.optsMu.RUnlock()
	if l != nil {
		l.Logf(level, format, args...)
	}
}

// logWriter turns memberlist's log lines ("[WARN] memberlist: ...") into
// go-micro logger calls at the matching level.
type logWriter struct{ g *Registry }

func (w logWriter) Write(p []byte) (int, error) {
	if w.g.silenced.Load() {
		// memberlist's Shutdown does not wait for its goroutines; what
		// they say after Close (mostly sends on closed sockets) is noise.
		return len(p), nil
	}
	line := bytes.TrimSpace(p)
	level := engine.InfoLevel
	for prefix, l := range map[string]engine.Level{
		"[DEBUG]": engine.DebugLevel, "[INFO]": engine.InfoLevel,
		"[WARN]": engine.WarnLevel, "[ERR]": engine.ErrorLevel,
	} {
		if bytes.HasPrefix(line, []byte(prefix)) {
			level = l
			line = bytes.TrimSpace(line[len(prefix):])
			break
		}
	}
	if refusal(line) {
		w.g.refusals.Add(1)
	}
	w.g.logf(level, "%s", line)
	return len(p), nil
}

func newMemberlistLogger(g *Registry) *log.Logger {
	return log.New(logWriter{g}, "", 0)
}
