package mdns_test

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
	"go-micro.dev/v4/logger"

	"github.com/microreg/microreg/internal/proctest"
	"github.com/microreg/microreg/internal/wait"
	"github.com/microreg/microreg/mdns"
	"github.com/microreg/microreg/registry"
	"github.com/microreg/microreg/registry/registrytest"
)

var (
	signKey  = []byte("0123456789abcdef0123456789abcdef")
	otherKey = []byte("fedcba9876543210fedcba9876543210")
)

// forgerEnv makes a re-executed test binary a host without the key that
// announces greeter at its own address: "unsigned" (no key) or
// "wrongkey" (signed with another key).
const forgerEnv = "MICROREG_MDNS_FORGER"

func forge(kind string) error {
	opts := []registry.Option{mdns.Interface("lo")}
	port := 6666
	if kind == "wrongkey" {
		opts, port = append(opts, mdns.Keys(otherKey)), 6667
	}
	r, err := mdns.New(opts...)
	if err != nil {
		return err
	}
	defer registry.Close(r)
	s := &registry.Service{Name: "greeter", Version: "1.0.0", Nodes: []*registry.Node{{Id: "greeter-" + kind, Address: fmt.Sprintf("127.0.0.1:%d", port)}}}
	if err := r.Register(s); err != nil {
		return err
	}
	fmt.Println("registered", kind)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, os.Interrupt)
	<-signals
	return nil
}

func addresses(t *testing.T, r registry.Registry, service string) []string {
	t.Helper()
	s, err := r.GetService(service)
	if errors.Is(err, registry.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range s {
		for _, n := range v.Nodes {
			out = append(out, n.Address)
		}
	}
	slices.Sort(out)
	return out
}

// TestSignedRecordsIgnoreForgers: two processes without the key announce
// a signed service's name at their own addresses, one unsigned, one signed
// with another key. A client without keys takes all three nodes; every
// keyed client, started after them, sees only the real one, and doctor
// counts and names what it dropped.
func TestSignedRecordsIgnoreForgers(t *testing.T) {
	server := open(t, mdns.Keys(signKey))
	if err := server.Register(&registry.Service{Name: "greeter", Version: "1.0.0", Nodes: []*registry.Node{{Id: "greeter-real", Address: "127.0.0.1:9001"}}}); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"unsigned", "wrongkey"} {
		p := proctest.Start(t, os.Args[0], []string{forgerEnv + "=" + kind})
		p.WaitLine(t, "registered "+kind, 15*time.Second)
		t.Cleanup(func() { _ = p.Signal(syscall.SIGTERM); _ = p.Wait(10 * time.Second) })
	}
	plain := open(t, mdns.QueryTimeout(time.Second))
	wait.Until(t, 10*time.Second, "a client without keys takes the forgers' nodes", func() bool {
		return len(addresses(t, plain, "greeter")) == 3
	})
	for i := range 2 {
		keyed := open(t, mdns.Keys(signKey), mdns.QueryTimeout(time.Second))
		if got := addresses(t, keyed, "greeter"); !slices.Equal(got, []string{"127.0.0.1:9001"}) {
			t.Fatalf("keyed client %d sees %v, want the real node only", i, got)
		}
		wait.Until(t, 10*time.Second, "the keyed client dropped both forgers", func() bool {
			f, _ := registrytest.Diagnose(keyed, "").Check("signatures")
			return strings.Contains(f.Finding, "unsigned") && strings.Contains(f.Finding, "signed with another key")
		})
		registrytest.WantFinding(t, registrytest.Diagnose(keyed, ""), "signatures", registry.StatusWarn,
			"keys "+registry.KeyID(signKey)+" (signs)", "from 127.0.0.1", "greeter 1.0.0 [unsigned]", "greeter 1.0.0 [wrongkey]")
	}
	if got := addresses(t, plain, "greeter"); len(got) != 3 {
		t.Fatalf("the client without keys sees %v", got)
	}
}

// capture keeps the microreg TXT records multicast on lo, by readable
// instance name.
type capture struct {
	mu   sync.Mutex
	txts map[string][]*dns.TXT
}

func captureTXT(t *testing.T) *capture {
	t.Helper()
	cp := &capture{txts: map[string][]*dns.TXT{}}
	listenGroup(t, func(m *dns.Msg) {
		cp.mu.Lock()
		defer cp.mu.Unlock()
		for _, rr := range m.Answer {
			if txt, ok := rr.(*dns.TXT); ok && slices.Contains(txt.Txt, "mr=1") && txt.Hdr.Ttl > 0 {
				cp.txts[instanceLabel(txt.Hdr.Name)] = append(cp.txts[instanceLabel(txt.Hdr.Name)], txt)
			}
		}
	})
	return cp
}

func (c *capture) first(t *testing.T, label string) *dns.TXT {
	t.Helper()
	var txt *dns.TXT
	wait.Until(t, 10*time.Second, "the announcement of "+label, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if l := c.txts[label]; len(l) > 0 {
			txt = l[0]
		}
		return txt != nil
	})
	return txt
}

// replay multicasts rr from another socket, as an attacker on the link.
func replay(t *testing.T, rrs ...dns.RR) {
	t.Helper()
	m := &dns.Msg{MsgHdr: dns.MsgHdr{Response: true, Authoritative: true}, Answer: rrs}
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.WriteToUDP(b, &net.UDPAddr{IP: net.IPv4(224, 0, 0, 251), Port: 5353}); err != nil {
		t.Fatal(err)
	}
}

// TestSignedRecordsResistReplay: a captured announcement sent back with
// TTL 0 is not a goodbye, and an older registration sent back after the
// node moved does not bring back its old address.
func TestSignedRecordsResistReplay(t *testing.T) {
	heard := captureTXT(t)
	server := open(t, mdns.Keys(signKey))
	client := open(t, mdns.Keys(signKey))
	s := &registry.Service{Name: "ledger", Version: "2", Nodes: []*registry.Node{{Id: "ledger-1", Address: "127.0.0.1:9101"}}}
	if err := server.Register(s); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 10*time.Second, "the client sees the node", func() bool {
		return slices.Equal(addresses(t, client, "ledger"), []string{"127.0.0.1:9101"})
	})
	old := heard.first(t, "ledger 2 [1]")

	bye := *old
	bye.Hdr.Ttl = 0
	replay(t, &bye)
	s.Nodes[0].Address = "127.0.0.1:9102"
	if err := server.Register(s); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 10*time.Second, "the client sees the node move", func() bool {
		return slices.Equal(addresses(t, client, "ledger"), []string{"127.0.0.1:9102"})
	})
	replay(t, old)
	wait.Until(t, 10*time.Second, "the client drops both replays", func() bool {
		f, _ := registrytest.Diagnose(client, "").Check("signatures")
		return strings.Contains(f.Finding, "1 bad signature") && strings.Contains(f.Finding, "replayed")
	})
	if got := addresses(t, client, "ledger"); !slices.Equal(got, []string{"127.0.0.1:9102"}) {
		t.Fatalf("after the replays the client sees %v, want 127.0.0.1:9102", got)
	}
}

// TestKeyRotation: keys rotate with Init, in gossip's three steps, and a
// client at each step finds the node; one left with the retired key does
// not.
func TestKeyRotation(t *testing.T) {
	server := open(t, mdns.Keys(signKey))
	s := &registry.Service{Name: "rotor", Version: "1", Nodes: []*registry.Node{{Id: "rotor-1", Address: "127.0.0.1:9201"}}}
	if err := server.Register(s); err != nil {
		t.Fatal(err)
	}
	finds := func(keys ...[]byte) bool {
		c := open(t, mdns.Keys(keys...), mdns.QueryTimeout(time.Second))
		defer registry.Close(c)
		return slices.Equal(addresses(t, c, "rotor"), []string{"127.0.0.1:9201"})
	}
	for i, step := range [][][]byte{{signKey, otherKey}, {otherKey, signKey}, {otherKey}} {
		if err := server.Init(mdns.Keys(step...)); err != nil {
			t.Fatal(err)
		}
		if !finds(step...) {
			t.Fatalf("step %d: a client with the step's keys does not find the node", i+1)
		}
	}
	if finds(signKey) {
		t.Fatal("a client with only the retired key found the node")
	}
	if err := open(t).Init(mdns.Keys(signKey)); !errors.Is(err, registry.ErrOption) {
		t.Fatalf("Keys in Init of an unsigned registry: %v, want ErrOption", err)
	}
}

func TestKeysTurnGoMicroOff(t *testing.T) {
	if _, err := mdns.New(mdns.Interface("lo"), mdns.Keys(signKey), mdns.GoMicro(true)); !errors.Is(err, registry.ErrOption) || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("GoMicro(true) with keys: %v", err)
	}
	if _, err := mdns.New(mdns.Interface("lo"), mdns.Keys([]byte("short"))); !errors.Is(err, registry.ErrBadKey) {
		t.Fatalf("a 5-byte key: %v", err)
	}
	t.Setenv(registry.EnvKey, "bm90IGEga2V5")
	if _, err := mdns.New(mdns.Interface("lo")); !errors.Is(err, registry.ErrBadKey) || strings.Contains(err.Error(), "bm90IGEga2V5") {
		t.Fatalf("a bad %s: %v (the key must not be in it)", registry.EnvKey, err)
	}
}

// TestMDNSKeysStaySecret: the keys are in none of what a signed registry
// says: its log (drops included), its errors, doctor as text and JSON.
func TestMDNSKeysStaySecret(t *testing.T) {
	var out strings.Builder
	var mu sync.Mutex
	log := registry.Logger(lineLogger(func(s string) { mu.Lock(); out.WriteString(s + "\n"); mu.Unlock() }))
	server := open(t, mdns.Keys(signKey, otherKey), log)
	if err := server.Register(&registry.Service{Name: "vault", Version: "1", Nodes: []*registry.Node{{Id: "vault-1", Address: "127.0.0.1:9301"}}}); err != nil {
		t.Fatal(err)
	}
	forger := open(t)
	if err := forger.Register(&registry.Service{Name: "vault", Version: "1", Nodes: []*registry.Node{{Id: "vault-forged", Address: "127.0.0.1:6666"}}}); err != nil {
		t.Fatal(err)
	}
	wait.Until(t, 10*time.Second, "the signed registry logs the drop", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(out.String(), "dropped a record of vault 1 [forged]")
	})
	d := registrytest.Diagnose(server, "vault")
	js, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf("%+v\n%s\n", d, js)
	for _, err := range []error{
		server.Init(mdns.Keys([]byte("short"))),
		server.Init(mdns.Keys()),
		func() error {
			_, err := mdns.New(mdns.Interface("lo"), mdns.Keys(signKey), mdns.GoMicro(true))
			return err
		}(),
	} {
		if err == nil {
			t.Fatal("a bad key change was taken")
		}
		text += err.Error() + "\n"
	}
	mu.Lock()
	text += out.String()
	mu.Unlock()
	for _, key := range [][]byte{signKey, otherKey} {
		for _, form := range []string{string(key), base64.StdEncoding.EncodeToString(key), base64.RawURLEncoding.EncodeToString(key), hex.EncodeToString(key)} {
			if strings.Contains(text, form) {
				t.Fatalf("a key is in what the registry said:\n%s", text)
			}
		}
	}
}

// lineLogger is a go-micro logger that hands each line to f.
type lineLogger func(string)

func (l lineLogger) Init(...logger.Option) error                     { return nil }
func (l lineLogger) Options() logger.Options                         { return logger.Options{Level: logger.TraceLevel} }
func (l lineLogger) Fields(map[string]interface{}) logger.Logger     { return l }
func (l lineLogger) Log(_ logger.Level, v ...interface{})            { l(fmt.Sprint(v...)) }
func (l lineLogger) Logf(_ logger.Level, f string, v ...interface{}) { l(fmt.Sprintf(f, v...)) }
func (l lineLogger) String() string                                  { return "lines" }
