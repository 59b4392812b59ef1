package face4

import (
	"errors"
	"unsafe"

	mregistry "go-micro.dev/v4/registry"

	"github.com/microreg/microreg/engine"
)

// The conversions below rely on the engine's types sharing go-micro's
// layout (see layout_test.go): rule (1) of unsafe.Pointer.

// Service is s as the engine's type, the same memory.
func Service(s *mregistry.Service) *engine.Service { return (*engine.Service)(unsafe.Pointer(s)) }

// V4Service is s as go-micro's type, the same memory.
func V4Service(s *engine.Service) *mregistry.Service { return (*mregistry.Service)(unsafe.Pointer(s)) }

// Services is s as go-micro's type, the same memory.
func Services(s []*engine.Service) []*mregistry.Service {
	return *(*[]*mregistry.Service)(unsafe.Pointer(&s))
}

// EngineServices is s as the engine's type, the same memory.
func EngineServices(s []*mregistry.Service) []*engine.Service {
	return *(*[]*engine.Service)(unsafe.Pointer(&s))
}

// Result is r as go-micro's type, the same memory.
func Result(r *engine.Result) *mregistry.Result { return (*mregistry.Result)(unsafe.Pointer(r)) }

// EngineResult is r as the engine's type, the same memory.
func EngineResult(r *mregistry.Result) *engine.Result { return (*engine.Result)(unsafe.Pointer(r)) }

// callOptions reinterprets go-micro call options as the engine's: each is
// a func of one pointer to a struct of the same layout.
func callOptions[E, M any](opts []M) []E { return *(*[]E)(unsafe.Pointer(&opts)) }

// The call options of each method, as the engine's.
var (
	registerOptions   = callOptions[engine.RegisterOption, mregistry.RegisterOption]
	deregisterOptions = callOptions[engine.DeregisterOption, mregistry.DeregisterOption]
	getOptions        = callOptions[engine.GetOption, mregistry.GetOption]
	listOptions       = callOptions[engine.ListOption, mregistry.ListOption]
	watchOptions      = callOptions[engine.WatchOption, mregistry.WatchOption]
	v4Register        = callOptions[mregistry.RegisterOption, engine.RegisterOption]
	v4Deregister      = callOptions[mregistry.DeregisterOption, engine.DeregisterOption]
	v4Get             = callOptions[mregistry.GetOption, engine.GetOption]
	v4List            = callOptions[mregistry.ListOption, engine.ListOption]
	v4Watch           = callOptions[mregistry.WatchOption, engine.WatchOption]
)

// Err returns go-micro's sentinel in place of the engine's.
func Err(err error) error {
	switch err {
	case nil:
		return nil
	case engine.ErrNotFound:
		return mregistry.ErrNotFound
	case engine.ErrWatcherStopped:
		return mregistry.ErrWatcherStopped
	}
	return err
}

// engineErr is Err the other way round.
func engineErr(err error) error {
	switch {
	case errors.Is(err, mregistry.ErrNotFound):
		return engine.ErrNotFound
	case errors.Is(err, mregistry.ErrWatcherStopped):
		return engine.ErrWatcherStopped
	}
	return err
}
