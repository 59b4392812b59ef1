package face

import (
	"os"
	"strings"
)

// The environment variables go-micro reads (v4, v5 and v6 alike), and
// each face's FromEnv too.
const (
	// EnvRegistry names the backend, e.g. "consul".
	EnvRegistry = "MICRO_REGISTRY"
	// EnvRegistryAddress is a comma-separated list of registry addresses.
	EnvRegistryAddress = "MICRO_REGISTRY_ADDRESS"
	// DefaultBackend is used when EnvRegistry is unset, as in go-micro.
	DefaultBackend = "mdns"
)

// The command-line flags go-micro reads, and FromArgs too.
const (
	// FlagRegistry names the backend: --registry=NAME.
	FlagRegistry = "registry"
	// FlagRegistryAddress lists the registry's addresses:
	// --registry_address=HOST:PORT[,HOST:PORT...].
	FlagRegistryAddress = "registry_address"
)

// Selected returns the backend name and addresses a go-micro program is
// asked for: --registry and --registry_address in args (as --name=value
// or --name value, one dash or two), else MICRO_REGISTRY and
// MICRO_REGISTRY_ADDRESS, else the backend def with no addresses.
func Selected(args []string, def string) (name string, addrs []string) {
	name, ok := flagValue(args, FlagRegistry)
	if !ok {
		name = os.Getenv(EnvRegistry)
	}
	if name = strings.TrimSpace(name); name == "" {
		name = def
	}
	addr, ok := flagValue(args, FlagRegistryAddress)
	if !ok {
		addr = os.Getenv(EnvRegistryAddress)
	}
	return name, SplitAddrs(addr)
}

// flagValue finds --flag=value or --flag value in args, before any "--";
// the last one wins, as with go-micro's flags.
func flagValue(args []string, flag string) (value string, found bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		a = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		switch {
		case a == flag && i+1 < len(args):
			value, found = args[i+1], true
			i++
		case strings.HasPrefix(a, flag+"="):
			value, found = a[len(flag)+1:], true
		}
	}
	return value, found
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
