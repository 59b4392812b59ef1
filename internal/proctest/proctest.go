// Package proctest runs programs as separate processes in tests: built
// once with go build, started with arguments, their output read line by
// line, stopped with a signal, and killed when the test ends.
package proctest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Build compiles the main packages pkgs (import paths or ./relative
// directories, as go build takes them) into dir and returns the binaries'
// paths by their base name (a relative directory's own name: "." in
// examples/demo is "demo").
func Build(dir string, pkgs ...string) (map[string]string, error) {
	return BuildIn(".", dir, pkgs...)
}

// BuildIn is Build run in the directory src, so that pkgs are built in
// the module there: how a go-micro v5 test builds a v4 program.
func BuildIn(src, dir string, pkgs ...string) (map[string]string, error) {
	args := append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Dir = src
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build %s: %v\n%s", strings.Join(pkgs, " "), err, out)
	}
	bins := map[string]string{}
	for _, p := range pkgs {
		name := p
		if strings.HasPrefix(p, ".") {
			abs, err := filepath.Abs(filepath.Join(src, p))
			if err != nil {
				return nil, err
			}
			name = abs
		}
		name = filepath.Base(name)
		bins[name] = filepath.Join(dir, name)
	}
	return bins, nil
}

// Proc is one running program.
type Proc struct {
	Name string
	cmd  *exec.Cmd

	mu     sync.Mutex
	lines  []string
	more   chan struct{} // closed and replaced when a line arrives
	exited chan struct{}
	err    error // from Wait, once exited is closed
}

// Start runs bin with args and env (added to this process's environment);
// the process is killed when the test ends.
func Start(t testing.TB, bin string, env []string, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	p := &Proc{Name: filepath.Base(bin), cmd: cmd, more: make(chan struct{}), exited: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go p.read(out)
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("%s output:\n%s", p.Name, p.Output())
		}
	})
	return p
}

func (p *Proc) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		p.mu.Lock()
		p.lines = append(p.lines, sc.Text())
		close(p.more)
		p.more = make(chan struct{})
		p.mu.Unlock()
	}
	err := p.cmd.Wait()
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
	close(p.exited)
}

// Output returns everything the process printed so far.
func (p *Proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// WaitLine waits for a line containing substr and returns it; it fails the
// test if the process exits first or within passes.
func (p *Proc) WaitLine(t testing.TB, substr string, within time.Duration) string {
	t.Helper()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	seen := 0
	for {
		p.mu.Lock()
		lines, more := p.lines, p.more
		p.mu.Unlock()
		for ; seen < len(lines); seen++ {
			if strings.Contains(lines[seen], substr) {
				return lines[seen]
			}
		}
		select {
		case <-more:
		case <-p.exited:
			p.mu.Lock()
			n := len(p.lines)
			p.mu.Unlock()
			if n > seen {
				continue // lines that arrived with the exit
			}
			t.Fatalf("%s exited (%v) without printing %q; it printed:\n%s", p.Name, p.Err(), substr, p.Output())
		case <-deadline.C:
			t.Fatalf("%s did not print %q within %v; it printed:\n%s", p.Name, substr, within, p.Output())
		}
	}
}

// Signal sends sig to the process.
func (p *Proc) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Wait waits for the process to exit, at most within, and returns its
// exit error (nil for status 0).
func (p *Proc) Wait(within time.Duration) error {
	select {
	case <-p.exited:
		return p.Err()
	case <-time.After(within):
		return fmt.Errorf("%s still running after %v", p.Name, within)
	}
}

// Err is the process's exit error once it has exited.
func (p *Proc) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}
