// Package consultest runs real Consul agents for tests and demos, on
// loopback only: a dev agent, or a cluster of servers and a client. The
// binary is the consul on PATH, or one built once from the repository's
// tools/consul module (pinned by its go.sum) and cached in the user cache
// directory. Tests pass their testing.TB; programs pass a Program.
package consultest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
)

// Version is the Consul version tools/consul pins.
const Version = "v1.22.2"

// Binary returns the path of a consul binary, building it if need be (a
// cold build takes minutes). Parallel test processes build it once: the
// build holds a lock file next to the cached binary.
func Binary(tb TB) string {
	tb.Helper()
	path, err := binary()
	if err != nil {
		tb.Fatalf("consultest: no consul binary: %v", err)
	}
	return path
}

func binary() (string, error) {
	if p, err := exec.LookPath("consul"); err == nil {
		return p, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "microreg", "consul-"+Version)
	bin := filepath.Join(dir, "consul")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "build.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil // another process built it while we waited
	}
	tools, err := toolsDir()
	if err != nil {
		return "", err
	}
	tmp := bin + ".tmp"
	cmd := exec.Command("go", "build", "-o", tmp, "github.com/hashicorp/consul")
	cmd.Dir = tools
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	fmt.Fprintf(os.Stderr, "consultest: building consul %s from %s into %s (minutes, once)\n", Version, tools, dir)
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build consul: %w", err)
	}
	return bin, os.Rename(tmp, bin)
}

// toolsDir finds tools/consul from this source file's place in the repo.
func toolsDir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("cannot locate the source tree")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "tools", "consul")
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return "", fmt.Errorf("tools/consul not found at %s: %w", dir, err)
	}
	return dir, nil
}
