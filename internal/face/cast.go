package face

import (
	"unsafe"

	"github.com/microreg/microreg/engine"
)

// The conversions below rely on the engine's types sharing the major's
// layout (each face's layout test): rule (1) of unsafe.Pointer.

// ToEngine is p, a pointer to a major's type, as a pointer to the
// engine's type E of the same layout: the same memory.
func ToEngine[E, M any](p *M) *E { return (*E)(unsafe.Pointer(p)) }

// FromEngine is ToEngine the other way round.
func FromEngine[M, E any](p *E) *M { return (*M)(unsafe.Pointer(p)) }

// Slice is s, a slice of pointers to one type, as a slice of pointers to
// another of the same layout; or of funcs of one pointer to such types
// (call options): the same memory.
func Slice[To, From any](s []From) []To { return *(*[]To)(unsafe.Pointer(&s)) }

// Services is the engine's services as the major's service type S.
func Services[S any](s []*engine.Service) []*S { return Slice[*S](s) }

// EngineServices is the major's services as the engine's.
func EngineServices[S any](s []*S) []*engine.Service { return Slice[*engine.Service](s) }
