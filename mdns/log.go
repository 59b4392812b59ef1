package mdns

import "go-micro.dev/v4/logger"

// logf logs a warning through the registry's logger, if it has one.
func (r *Registry) logf(format string, args ...any) {
	if l := r.Options().Logger; l != nil {
		l.Logf(logger.WarnLevel, format, args...)
	}
}
