// Package registry is microreg for go-micro v5 service authors: go-micro
// v5's registry types under one import, the table of backends by name,
// selection from options, flags and the environment, the errors to check,
// and Diagnose. It is the go-micro v4 face's registry package, for v5.
//
// Backends implement go-micro v5's registry.Registry, so any of them can
// be handed to micro.Registry(...). Each backend package registers itself
// in init(), in this package's table and in go-micro v5's
// cmd.DefaultRegistries, where it replaces the registry of the same name
// that go-micro v5 ships (consul, mdns, memory), so a blank import is
// enough:
//
//	import _ "github.com/microreg/microreg/micro5/consul"
//
// and --registry=consul or MICRO_REGISTRY=consul selects microreg's. The
// same holds for mdns, which is also go-micro v5's default: its own mdns
// registry stays the default of a service given neither flag nor
// variable, under a name of its own ("mdns (go-micro's default)"), since
// go-micro switches registries only when --registry names another.
//
// Every backend also implements io.Closer; go-micro's interface has no
// Close, so reach it with registry.Close(r), which stops the backend's
// goroutines.
package registry
