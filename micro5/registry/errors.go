package registry

import (
	mregistry "go-micro.dev/v5/registry"

	"github.com/microreg/microreg/engine"
)

var (
	// ErrNotFound is go-micro's own sentinel, returned unwrapped for an
	// unknown service because older go-micro code compares it with ==.
	ErrNotFound = mregistry.ErrNotFound
	// ErrWatcherStopped is go-micro's own sentinel, returned by Next once
	// a watcher has stopped.
	ErrWatcherStopped = mregistry.ErrWatcherStopped

	// ErrInvalidService is wrapped by every error about a malformed
	// service; the error's text names the field.
	ErrInvalidService = engine.ErrInvalidService
	// ErrUnknownBackend is wrapped by New when no backend has the name.
	ErrUnknownBackend = engine.ErrUnknownBackend
	// ErrTooLarge is wrapped by every error about a service, or a message
	// carrying one, too large for a backend: over MaxServiceSize on every
	// backend, or over what the backend's wire holds.
	ErrTooLarge = engine.ErrTooLarge
	// ErrClosed is returned by a backend used after Close.
	ErrClosed = engine.ErrClosed
	// ErrNotStarted is wrapped by every error of a backend that could not
	// start (its port taken, no multicast interface, a bad key), with the
	// reason; New, FromArgs and FromEnv return it at once.
	ErrNotStarted = engine.ErrNotStarted
	// ErrOption is wrapped by the error a backend returns for an option it
	// cannot apply: another backend's, or one that takes effect only when
	// the registry is built, given to Init. The error names the option.
	ErrOption = engine.ErrOption
)

// FieldError is the error validation returns: which field of which service
// is wrong and why. It matches ErrInvalidService with errors.Is.
type FieldError = engine.FieldError

// MaxServiceSize is the largest registration, in bytes of its JSON, any
// backend accepts (see ErrTooLarge).
const MaxServiceSize = engine.MaxServiceSize
