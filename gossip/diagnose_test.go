package gossip_test

import (
	"net"
	"strconv"
	"testing"
	"time"

	"go-micro.dev/v4/logger"

	"github.com/microreg/microreg/gossip"
	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

// checkOf runs the doctor's checks on r for service and returns the
// diagnosis and the name of the check wanted, for expectCheck.
func checkOf(_ *testing.T, r registry.Registry, service, check string) finding {
	return finding{registrytest.Diagnose(r, service), check}
}

type finding struct {
	d     *registry.Diagnosis
	check string
}

func expectCheck(t *testing.T, f finding, status registry.Status, says ...string) {
	t.Helper()
	registrytest.WantFinding(t, f.d, f.check, status, says...)
}

func TestDiagnoseHealthyCluster(t *testing.T) {
	a := node(t, nil, gossip.NodeName("node-a"))
	b := node(t, []string{addr(t, a)}, gossip.NodeName("node-b"))
	if err := a.Register(svc("greeter", "greeter-1")); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 10*time.Second, "b sees the service", func() bool { return found(b, "greeter") })
	expectCheck(t, checkOf(t, b, "greeter", "node"), registry.StatusOK, "node node-b listens on "+addr(t, b), "encryption off")
	expectCheck(t, checkOf(t, b, "greeter", "members"), registry.StatusOK, "2 members: 2 alive, 0 suspect")
	expectCheck(t, checkOf(t, b, "greeter", "isolation"), registry.StatusOK)
	expectCheck(t, checkOf(t, b, "greeter", "owners"), registry.StatusOK, "greeter-1 (version 1.0.0) from node-a, alive")
	expectCheck(t, checkOf(t, b, "greeter", "service"), registry.StatusOK)
	expectCheck(t, checkOf(t, b, "greter", "service"), registry.StatusFail, "did you mean greeter")
}

func TestDiagnoseWrongKey(t *testing.T) {
	key1, key2 := []byte("0123456789abcdef"), []byte("fedcba9876543210")
	seed := node(t, nil, gossip.SecretKey(key1))
	if err := seed.Register(svc("secret", "secret-1")); err != nil {
		t.Fatal(err)
	}
	// NewRegistry, as --registry=gossip builds it: it runs, alone.
	bad := gossip.NewRegistry(gossip.BindAddress("127.0.0.1", 0), registry.Addrs(addr(t, seed)), gossip.SecretKey(key2), quiet()).(*gossip.Registry)
	t.Cleanup(func() { bad.Close() })
	expectCheck(t, checkOf(t, bad, "secret", "isolation"), registry.StatusFail, "refused this node", "gossip.ClusterName", "SecretKeys")
	expectCheck(t, checkOf(t, bad, "secret", "members"), registry.StatusFail, "alone: joining "+addr(t, seed)+" failed")
	expectCheck(t, checkOf(t, bad, "secret", "service"), registry.StatusFail)
}

func TestDiagnoseNobodyToJoin(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := l.Addr().String()
	l.Close() // nobody listens there now
	r := node(t, []string{gone}, quiet())
	expectCheck(t, checkOf(t, r, "", "members"), registry.StatusFail, "alone: joining "+gone+" failed", "LocalAddr")
	expectCheck(t, checkOf(t, r, "", "isolation"), registry.StatusOK)
	alone := node(t, nil, quiet())
	expectCheck(t, checkOf(t, alone, "", "members"), registry.StatusFail, "alone and was given no member to join", "--registry_address")
}

func TestDiagnoseNotStarted(t *testing.T) {
	taken := node(t, nil)
	_, port, _ := net.SplitHostPort(addr(t, taken))
	r := gossip.NewRegistry(gossip.BindAddress("127.0.0.1", atoi(t, port)), quiet())
	t.Cleanup(func() { registry.Close(r) })
	expectCheck(t, checkOf(t, r, "", "node"), registry.StatusFail, "not started", "BindAddress")
}

// quiet keeps a node's log out of the test's output.
func quiet() registry.Option {
	return registry.Logger(logger.NewLogger(logger.WithLevel(logger.FatalLevel)))
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
