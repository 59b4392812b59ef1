// Package face is what every go-micro face of the engine shares: an
// engine backend as a go-micro registry, and any go-micro registry as an
// engine.Registry, written once over type parameters that a face
// (internal/face4, micro5's face5) fills with its major version's types.
//
// Crossing a face costs nothing: the engine's Service, Node, Endpoint,
// Value, Result and call options have go-micro's memory layout, field for
// field, so a pointer to one is converted to a pointer to the other under
// rule (1) of unsafe.Pointer, with no copy. Each face's test checks both
// layouts with SameLayout and fails on any drift. Construction options run
// once and are converted one by one through the face's Major.
package face
