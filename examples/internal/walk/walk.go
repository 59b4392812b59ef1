// Package walk holds what the demo and the Consul cluster walkthrough
// share: running copies of the program itself as a greeter server or
// client (separate processes, told their part by an environment
// variable), and reading what they say.
package walk

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"go-micro.dev/v4"

	"github.com/microreg/microreg/examples/greeter"
	"github.com/microreg/microreg/registry"
)

// RoleEnv tells a copy of the program which part to play: "server" or
// "client"; unset for the program itself.
const RoleEnv = "MICROREG_WALK_ROLE"

// GreetEnv is the name the client greets.
const GreetEnv = "MICROREG_WALK_GREET"

// Role returns the part this process plays ("" for the program itself).
func Role() string { return os.Getenv(RoleEnv) }

// Play runs this process's part with registry r: the greeter server until
// SIGTERM, or the client (discover, greet, and wait until the server
// leaves).
func Play(r registry.Registry) error {
	switch role := Role(); role {
	case "server":
		return serve(r)
	case "client":
		return call(r, os.Getenv(GreetEnv))
	default:
		return fmt.Errorf("unknown %s %q", RoleEnv, role)
	}
}

// serve is the server's part: a greeter server until SIGTERM.
func serve(r registry.Registry) error {
	signals, stop := greeter.UntilSignal()
	defer stop()
	var srv micro.Service
	srv, err := greeter.NewServer(r, append(signals, micro.AfterStart(func() error {
		id, addr := greeter.Node(srv)
		fmt.Printf("registered greeter node %s at %s\n", id, addr)
		return nil
	}))...)
	if err != nil {
		return err
	}
	return srv.Run()
}

// call is the client's part: discover, greet, then wait for the server to
// leave.
func call(r registry.Registry, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	id, addr, err := greeter.Discover(ctx, r)
	if err != nil {
		return err
	}
	fmt.Printf("discovered greeter node %s at %s\n", id, addr)
	reply, err := greeter.Hello(ctx, greeter.NewClient(r).Client(), name)
	if err != nil {
		return err
	}
	fmt.Printf("reply %q\n", reply)
	if err := greeter.WaitGone(ctx, r, id); err != nil {
		return err
	}
	fmt.Printf("gone: greeter node %s left the registry\n", id)
	return nil
}

// Child is a running copy of the program in one role.
type Child struct {
	role  string
	cmd   *exec.Cmd
	lines chan string
	done  chan error
	log   strings.Builder
	drain sync.Once
}

// Start runs a copy of this program as role, with env added to its
// environment; it dies with ctx, and with this process.
func Start(ctx context.Context, role string, env ...string) (*Child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(append(os.Environ(), RoleEnv+"="+role), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the %s: %w", role, err)
	}
	ch := &Child{role: role, cmd: cmd, lines: make(chan string, 1024), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			ch.lines <- sc.Text()
		}
		close(ch.lines)
		ch.done <- cmd.Wait()
	}()
	return ch, nil
}

// Expect waits for a line of the child's that starts with prefix and
// returns it; the lines before it (go-micro's log) go into the error
// message if it never comes.
func (ch *Child) Expect(prefix string, within time.Duration) (string, error) {
	deadline := time.After(within)
	for {
		select {
		case line, ok := <-ch.lines:
			if !ok {
				return "", fmt.Errorf("the %s exited before saying %q:\n%s", ch.role, prefix, ch.log.String())
			}
			if strings.HasPrefix(line, prefix) {
				return line, nil
			}
			ch.log.WriteString(line + "\n")
		case <-deadline:
			return "", fmt.Errorf("the %s did not say %q within %v:\n%s", ch.role, prefix, within, ch.log.String())
		}
	}
}

// Stop sends SIGTERM and waits for the child to exit, at most within.
func (ch *Child) Stop(within time.Duration) error {
	if err := ch.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	return ch.Wait(within)
}

// Wait waits for the child to exit, at most within, and returns its exit
// error.
func (ch *Child) Wait(within time.Duration) error {
	ch.drain.Do(func() {
		go func() {
			for range ch.lines { // drain, so the child never blocks on its output
			}
		}()
	})
	select {
	case err := <-ch.done:
		ch.done <- err
		if err != nil {
			return fmt.Errorf("the %s: %w", ch.role, err)
		}
		return nil
	case <-time.After(within):
		return fmt.Errorf("the %s did not exit within %v", ch.role, within)
	}
}

// Kill ends the child at once.
func (ch *Child) Kill() { _ = ch.cmd.Process.Kill() }
