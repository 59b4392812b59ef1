package engine

import "errors"

var (
	// ErrNotFound is returned unwrapped for an unknown service; a face
	// returns its go-micro's own sentinel in its place.
	ErrNotFound = errors.New("service not found")
	// ErrWatcherStopped is returned by Next once a watcher has stopped; a
	// face returns its go-micro's own sentinel in its place.
	ErrWatcherStopped = errors.New("watcher stopped")

	// ErrInvalidService is wrapped by every error about a malformed
	// service; the error's text names the field.
	ErrInvalidService = errors.New("invalid service")
	// ErrUnknownBackend is wrapped by New when no backend has the name.
	ErrUnknownBackend = errors.New("unknown registry backend")
	// ErrTooLarge is wrapped by every error about a service, or a message
	// carrying one, too large for a backend: over MaxServiceSize on every
	// backend, or over what the backend's wire holds. The error's text
	// says how large and what the limit is.
	ErrTooLarge = errors.New("too large")
	// ErrClosed is returned by a backend used after Close.
	ErrClosed = errors.New("registry closed")
	// ErrNotStarted is wrapped by every error of a backend that could not
	// start (its port taken, no multicast interface, a bad key), with the
	// reason; New, FromArgs and FromEnv return it at once.
	ErrNotStarted = errors.New("registry not started")
)

// FieldError is the error validation returns: which field of which service
// is wrong and why. It matches ErrInvalidService with errors.Is.
type FieldError struct {
	// Service is the service's name, if it has one.
	Service string
	// Field is the path of the offending field, e.g. "nodes[1].address".
	Field string
	// Reason says what is wrong with it.
	Reason string
}

// Error implements error.
func (e *FieldError) Error() string {
	if e.Service == "" {
		return "invalid service: " + e.Field + ": " + e.Reason
	}
	return "invalid service " + quote(e.Service) + ": " + e.Field + ": " + e.Reason
}

// Unwrap makes errors.Is(err, ErrInvalidService) true.
func (e *FieldError) Unwrap() error { return ErrInvalidService }

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return "\"" + s + "\""
}
