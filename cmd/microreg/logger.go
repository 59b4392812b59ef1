package main

import (
	"fmt"
	"io"

	"go-micro.dev/v4/logger"
)

// stderrLogger is the backends' logger: go-micro's default prints to
// stdout, where it would mix with tables and JSON. It writes to w the
// lines at level or above.
type stderrLogger struct {
	w     io.Writer
	level logger.Level
}

func (l stderrLogger) Init(...logger.Option) error                 { return nil }
func (l stderrLogger) Options() logger.Options                     { return logger.Options{Level: l.level} }
func (l stderrLogger) Fields(map[string]interface{}) logger.Logger { return l }
func (l stderrLogger) String() string                              { return "stderr" }
func (l stderrLogger) Log(level logger.Level, v ...interface{}) {
	l.Logf(level, "%s", fmt.Sprint(v...))
}
func (l stderrLogger) Logf(level logger.Level, format string, v ...interface{}) {
	if l.level.Enabled(level) {
		fmt.Fprintf(l.w, "microreg: "+level.String()+": "+format+"\n", v...)
	}
}
