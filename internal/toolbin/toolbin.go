// Package toolbin finds or builds the server binaries tests and demos run
// (consul, etcd): the one on PATH, or one built once from the repository's
// tools/<name> module (pinned by its go.sum) into the user cache
// directory.
package toolbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
)

// Path returns the path of the binary name: the one on PATH, or the one
// built from pkg in the module tools/<tools> at version, building it if
// need be (a cold build takes a minute or more). Parallel test processes
// build it once: the build holds a lock file next to the cached binary.
func Path(tools, name, version, pkg string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "microreg", name+"-"+version)
	bin := filepath.Join(dir, name)
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
	dir, err = toolsDir(tools)
	if err != nil {
		return "", err
	}
	tmp := bin + ".tmp"
	cmd := exec.Command("go", "build", "-o", tmp, pkg)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	fmt.Fprintf(os.Stderr, "toolbin: building %s %s from %s into %s (a minute or more, once)\n", name, version, dir, filepath.Dir(bin))
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build %s: %w", name, err)
	}
	return bin, os.Rename(tmp, bin)
}

// toolsDir finds tools/<name> from this source file's place in the repo.
func toolsDir(name string) (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("cannot locate the source tree")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "tools", name)
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return "", fmt.Errorf("tools/%s not found at %s: %w", name, dir, err)
	}
	return dir, nil
}
