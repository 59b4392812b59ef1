package engine

import (
	"fmt"
	"log"
	"os"
)

// Level is a log level, numbered as go-micro's logger.Level is, so a face
// passes it through unchanged.
type Level int8

// The levels, from most to least verbose.
const (
	TraceLevel Level = iota - 2
	DebugLevel
	InfoLevel
	WarnLevel
	ErrorLevel
	FatalLevel
)

// String returns the level's name as go-micro writes it.
func (l Level) String() string {
	switch l {
	case TraceLevel:
		return "trace"
	case DebugLevel:
		return "debug"
	case InfoLevel:
		return "info"
	case WarnLevel:
		return "warn"
	case ErrorLevel:
		return "error"
	case FatalLevel:
		return "fatal"
	}
	return fmt.Sprintf("level(%d)", int8(l))
}

// Logger is all a backend needs of a logger. A face adapts its go-micro
// logger to it; FatalLevel is logged, never fatal.
type Logger interface {
	Logf(level Level, format string, args ...any)
}

// DefaultLogger writes Info and above to standard error.
var DefaultLogger Logger = stdLogger{log.New(os.Stderr, "", log.LstdFlags)}

type stdLogger struct{ l *log.Logger }

func (s stdLogger) Logf(level Level, format string, args ...any) {
	if level < InfoLevel {
		return
	}
	s.l.Printf(level.String()+" "+format, args...)
}
