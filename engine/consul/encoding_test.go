package consul

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/microreg/microreg/engine"
)

func TestMetaFitsConsulLimits(t *testing.T) {
	s := &engine.Service{Name: "big", Version: "1", Metadata: map[string]string{"blob": strings.Repeat("x", 4096)}}
	for i := 0; i < 200; i++ {
		s.Endpoints = append(s.Endpoints, &engine.Endpoint{Name: "Handler.Method" + strings.Repeat("x", i%7), Request: &engine.Value{Name: "r", Type: "T"}})
	}
	n := &engine.Node{Id: "n", Address: "127.0.0.1:1", Metadata: map[string]string{"k": "v"}}
	meta, err := encodeMeta(s, n, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(meta) > 64 {
		t.Fatalf("%d meta keys, Consul allows 64", len(meta))
	}
	for k, v := range meta {
		if len(k) > 128 || len(v) > 512 || strings.Trim(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "" {
			t.Fatalf("meta %q (%d bytes) breaks Consul's limits", k, len(v))
		}
	}
	p, ok, err := decodeMeta(meta)
	if err != nil || !ok || len(p.Endpoints) != 200 || p.Metadata["blob"] != s.Metadata["blob"] || p.Node["k"] != "v" {
		t.Fatalf("round trip: ok=%v err=%v endpoints=%d", ok, err, len(p.Endpoints))
	}
	// 100 KB of random hex compresses to about 50 KB: past the 30 KB
	// that fits.
	rng := rand.New(rand.NewPCG(1, 2))
	blob := make([]byte, 50_000)
	for i := range blob {
		blob[i] = byte(rng.Uint32())
	}
	huge := &engine.Service{Name: "huge", Metadata: map[string]string{"blob": hex.EncodeToString(blob)}}
	if _, err := encodeMeta(huge, n, nil); !errors.Is(err, engine.ErrTooLarge) {
		t.Fatalf("a service too large for Consul's metadata: %v, want ErrTooLarge", err)
	}
}

// FuzzDecodeMeta feeds the metadata decoder arbitrary chunks: it must
// never panic, whatever an agent hands back.
func FuzzDecodeMeta(f *testing.F) {
	meta, _ := encodeMeta(&engine.Service{Name: "s", Version: "1"}, &engine.Node{Id: "n", Address: "h:1"}, nil)
	f.Add(meta["microreg00"], "")
	f.Add("eJyrVipTslIqS8wpTVWqBQAiXAS5", "x")
	f.Add("!!!", "")
	f.Fuzz(func(t *testing.T, a, b string) {
		_, _, _ = decodeMeta(map[string]string{"microreg00": a, "microreg01": b})
		_ = pluginPayload([]string{"v-" + a, "t-" + b, "e-" + a}, nil)
	})
}

// Metadata travels as plain Meta where Consul takes it, the rest in the
// chunks, and reading merges both exactly: node keys win plain Meta over
// service keys of the same name, the user's Meta over both.
func TestPlainMetaRoundTrip(t *testing.T) {
	s := &engine.Service{Name: "legible", Version: "1.2.0",
		Metadata:  map[string]string{"team": "core", "zone": "service-zone", "dotted.key": "x", "owner": "ops", "long": strings.Repeat("l", 600)},
		Endpoints: []*engine.Endpoint{{Name: "Say.Hello"}}}
	n := &engine.Node{Id: "n1", Address: "127.0.0.1:1",
		Metadata: map[string]string{"protocol": "mucp", "zone": "node-zone", "owner": "node-owner", "consul-x": "reserved", "microreg00": "mine"}}
	meta, err := encodeMeta(s, n, map[string]string{"owner": "user", "env": "prod"})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"protocol": "mucp", "zone": "node-zone", "team": "core", "env": "prod", "owner": "user"} {
		if meta[k] != want {
			t.Errorf("plain Meta %s = %q, want %q", k, meta[k], want)
		}
	}
	for _, k := range []string{"dotted.key", "long", "consul-x"} {
		if _, ok := meta[k]; ok {
			t.Errorf("plain Meta has %q, which Consul does not accept", k)
		}
	}
	p, ok, err := decodeMeta(meta)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if fmt.Sprint(p.Node) != fmt.Sprint(n.Metadata) {
		t.Errorf("node metadata read back %v, want %v", p.Node, n.Metadata)
	}
	if fmt.Sprint(p.Metadata) != fmt.Sprint(s.Metadata) {
		t.Errorf("service metadata read back %v, want %v", p.Metadata, s.Metadata)
	}
	if p.Version != "1.2.0" || len(p.Endpoints) != 1 {
		t.Errorf("version %q, %d endpoints", p.Version, len(p.Endpoints))
	}
}

// Past Consul's 64 pairs, plain entries move into the chunks.
func TestPlainMetaKeepsWithinSixtyFourPairs(t *testing.T) {
	n := &engine.Node{Id: "n", Address: "127.0.0.1:1", Metadata: map[string]string{}}
	s := &engine.Service{Name: "many", Metadata: map[string]string{}}
	for i := 0; i < 50; i++ {
		n.Metadata[fmt.Sprint("n", i)] = fmt.Sprint(i)
		s.Metadata[fmt.Sprint("s", i)] = fmt.Sprint(i)
	}
	meta, err := encodeMeta(s, n, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(meta) > 64 {
		t.Fatalf("%d pairs", len(meta))
	}
	p, _, err := decodeMeta(meta)
	if err != nil || len(p.Node) != 50 || len(p.Metadata) != 50 {
		t.Fatalf("read back %d node and %d service keys (%v)", len(p.Node), len(p.Metadata), err)
	}
	user := map[string]string{}
	for i := 0; i < 64; i++ {
		user[fmt.Sprint("u", i)] = "x"
	}
	if _, err := encodeMeta(s, n, user); !errors.Is(err, engine.ErrTooLarge) {
		t.Fatalf("64 pairs of the user's own and chunks: %v", err)
	}
}

// The extras a user adds are checked against Consul's rules and the
// plugin's reader.
func TestExtrasAreChecked(t *testing.T) {
	for _, x := range []extras{
		{meta: map[string]string{"has space": "v"}},
		{meta: map[string]string{"microreg00": "v"}},
		{meta: map[string]string{"consul-version": "v"}},
		{meta: map[string]string{"k": strings.Repeat("v", 513)}},
		{tags: []string{""}},
		{tags: []string{"t"}},
	} {
		if err := x.check("svc", true); !errors.Is(err, engine.ErrInvalidService) {
			t.Errorf("%+v: %v, want ErrInvalidService", x, err)
		}
	}
	if err := (extras{tags: []string{"traefik.enable=true"}, meta: map[string]string{"env": "prod"}}).check("svc", true); err != nil {
		t.Fatal(err)
	}
}

// The plugin's tags decode, through the reader microreg already has for
// the plugin's registrations, to the version, node metadata and endpoints.
func TestPluginTagsRoundTrip(t *testing.T) {
	s := &engine.Service{Name: "p", Version: "2.0", Endpoints: []*engine.Endpoint{{Name: "A.B"}, {Name: "C.D"}}}
	n := &engine.Node{Id: "n", Metadata: map[string]string{"protocol": "grpc", "zone": "a"}}
	tags := registrationTags(s, n, []string{"user"}, true)
	p := pluginPayload(tags, nil)
	if p.Version != "2.0" || len(p.Endpoints) != 2 || fmt.Sprint(p.Node) != fmt.Sprint(n.Metadata) {
		t.Fatalf("read back %+v", p)
	}
	if tags[len(tags)-1] != "user" || !slices.Contains(tags, markerTag) {
		t.Fatalf("tags %v", tags)
	}
}
