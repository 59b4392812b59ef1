package mdns

import "github.com/microreg/microreg/engine"

// logf logs a warning through the registry's logger, if it has one.
func (r *Registry) logf(format string, args ...any) {
	if l := r.Options().Logger; l != nil {
		l.Logf(engine.WarnLevel, format, args...)
	}
}
