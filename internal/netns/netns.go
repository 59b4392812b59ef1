// Package netns runs a test binary inside a private network namespace that
// holds only a loopback interface, with multicast on and routed to it, so
// that mDNS tests never send a packet to a real interface.
//
//	func TestMain(m *testing.M) { netns.Run(m) }
//
// or, to check for leaks inside the namespace,
//
//	netns.Run(m, func(m *testing.M) { goleak.VerifyTestMain(m) })
//
// The binary re-executes itself in new user and network namespaces (no
// privileges needed), sets up lo with `ip`, checks that lo is the only
// interface, and runs the tests there. If any step fails the tests fail
// with the reason; they are never silently skipped.
package netns

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

const marker = "MICROREG_NETNS_CHILD"

// Inside reports whether this process runs in the private namespace.
func Inside() bool { return os.Getenv(marker) == "1" }

// Run runs m inside a private network namespace and exits with its
// status. In the namespace, once lo is ready, it calls main(m) if given
// (which must run m and exit), otherwise m.Run.
func Run(m *testing.M, main ...func(*testing.M)) {
	if !Inside() {
		os.Exit(reexec())
	}
	if err := setup(); err != nil {
		fmt.Fprintln(os.Stderr, "netns: cannot prepare the private network namespace:", err)
		os.Exit(1)
	}
	if len(main) > 0 {
		main[0](m)
	}
	os.Exit(m.Run())
}

func reexec() int {
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = append(os.Environ(), marker+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
		Pdeathsig:   syscall.SIGKILL,
	}
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "netns: cannot create a private network namespace (user and network namespaces are needed):", err)
		return 1
	}
	return 0
}

func setup() error {
	ip, err := exec.LookPath("ip")
	if err != nil {
		return fmt.Errorf("the ip command (iproute2) is needed: %w", err)
	}
	for _, args := range [][]string{
		{"link", "set", "lo", "up"},
		{"link", "set", "lo", "multicast", "on"},
		{"route", "replace", "224.0.0.0/4", "dev", "lo"},
	} {
		if out, err := exec.Command(ip, args...).CombinedOutput(); err != nil {
			return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	// IPv6 multicast is optional: some kernels keep IPv6 off in new
	// namespaces.
	_ = exec.Command(ip, "-6", "route", "replace", "ff00::/8", "dev", "lo", "table", "local").Run()
	ifaces, err := net.Interfaces()
	if err != nil {
		return err
	}
	for _, ifi := range ifaces {
		if ifi.Name != "lo" {
			return fmt.Errorf("interface %s is visible: this is not a private namespace", ifi.Name)
		}
	}
	return nil
}
