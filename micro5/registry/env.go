package registry

import "github.com/microreg/microreg/internal/face"

// The environment variables go-micro reads, and FromEnv too.
const (
	// EnvRegistry names the backend, e.g. "consul".
	EnvRegistry = face.EnvRegistry
	// EnvRegistryAddress is a comma-separated list of registry addresses.
	EnvRegistryAddress = face.EnvRegistryAddress
	// DefaultBackend is used when EnvRegistry is unset, as in go-micro.
	DefaultBackend = face.DefaultBackend
)

// The command-line flags go-micro reads, and FromArgs too.
const (
	// FlagRegistry names the backend: --registry=NAME.
	FlagRegistry = face.FlagRegistry
	// FlagRegistryAddress lists the registry's addresses:
	// --registry_address=HOST:PORT[,HOST:PORT...].
	FlagRegistryAddress = face.FlagRegistryAddress
)

// FromEnv builds the backend named by MICRO_REGISTRY (default "mdns", as in
// go-micro) with the addresses in MICRO_REGISTRY_ADDRESS, for programs that
// do not use go-micro's flags. opts are applied before the addresses.
func FromEnv(opts ...Option) (Registry, error) {
	return FromArgs(nil, DefaultBackend, opts...)
}

// FromArgs builds the backend a go-micro program is asked for, the way
// go-micro's own flags and environment choose it: --registry and
// --registry_address in args (as --name=value or --name value, one dash
// or two), else MICRO_REGISTRY and MICRO_REGISTRY_ADDRESS, else the
// backend def with no addresses. opts are applied before the addresses.
//
// Pass the result to micro.Registry before service.Init: go-micro keeps a
// registry whose String() equals --registry, so the addresses are applied
// once more by go-micro (harmless) and go-micro's built-in mdns registry
// never stands in for this module's "mdns" backend, which it otherwise
// would (go-micro's default registry is also called "mdns").
func FromArgs(args []string, def string, opts ...Option) (Registry, error) {
	name, addrs := Selected(args, def)
	if len(addrs) > 0 {
		opts = append(opts, Addrs(addrs...))
	}
	return New(name, opts...)
}

// Selected returns the backend name and addresses FromArgs would use.
func Selected(args []string, def string) (name string, addrs []string) {
	return face.Selected(args, def)
}

// SplitAddrs splits a comma-separated address list, dropping blanks.
func SplitAddrs(s string) []string { return face.SplitAddrs(s) }
