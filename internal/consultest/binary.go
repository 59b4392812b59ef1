// Package consultest runs real Consul agents for tests and demos, on
// loopback only: a dev agent, or a cluster of servers and a client. The
// binary is the consul on PATH, or one built once from the repository's
// tools/consul module (pinned by its go.sum) and cached in the user cache
// directory. Tests pass their testing.TB; programs pass a Program.
package consultest

import "github.com/microreg/microreg/internal/toolbin"

// Version is the Consul version tools/consul pins.
const Version = "v1.22.2"

// Binary returns the path of a consul binary, building it if need be (a
// cold build takes minutes). Parallel test processes build it once: the
// build holds a lock file next to the cached binary.
func Binary(tb TB) string {
	tb.Helper()
	path, err := toolbin.Path("consul", "consul", Version, "github.com/hashicorp/consul")
	if err != nil {
		tb.Fatalf("consultest: no consul binary: %v", err)
	}
	return path
}
