// Package registry is microreg for go-micro v4 service authors: go-micro
// v4's registry types under one import, the table of backends by name,
// selection from options, flags and the environment, the errors to check,
// and Diagnose.
//
// Backends implement go-micro's registry.Registry unchanged, so any of them
// can be handed to micro.Registry(...). Each backend package registers
// itself in init(), in this package's table and in go-micro's
// cmd.DefaultRegistries, so a blank import is enough:
//
//	import _ "github.com/microreg/microreg/memory"
//
//	r, err := registry.New("memory")
//
// or, from go-micro's command line, --registry=memory / MICRO_REGISTRY=memory.
//
// Every backend also implements io.Closer; go-micro's interface has no Close,
// so reach it with registry.Close(r), which stops the backend's goroutines.
//
// The backends are thin faces over microreg's engine
// (github.com/microreg/microreg/engine), which imports no go-micro package;
// that package is also the kit for writing a backend of one's own.
package registry
