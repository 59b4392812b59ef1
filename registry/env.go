package registry

import (
	"os"
	"strings"
)

// The environment variables go-micro reads, and FromEnv too.
const (
	// EnvRegistry names the backend, e.g. "consul".
	EnvRegistry = "MICRO_REGISTRY"
	// EnvRegistryAddress is a comma-separated list of registry addresses.
	EnvRegistryAddress = "MICRO_REGISTRY_ADDRESS"
	// DefaultBackend is used when EnvRegistry is unset, as in go-micro.
	DefaultBackend = "mdns"
)

// FromEnv builds the backend named by MICRO_REGISTRY (default "mdns", as in
// go-micro) with the addresses in MICRO_REGISTRY_ADDRESS, for programs that
// do not use go-micro's flags. opts are applied before the addresses.
func FromEnv(opts ...Option) (Registry, error) {
	name := strings.TrimSpace(os.Getenv(EnvRegistry))
	if name == "" {
		name = DefaultBackend
	}
	if addrs := SplitAddrs(os.Getenv(EnvRegistryAddress)); len(addrs) > 0 {
		opts = append(opts, Addrs(addrs...))
	}
	return New(name, opts...)
}

// SplitAddrs splits a comma-separated address list, dropping blanks.
func SplitAddrs(s string) []string {
	var addrs []string
	for _, a := range strings.Split(s, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	return addrs
}
