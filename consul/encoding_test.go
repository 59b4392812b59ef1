package consul

import (
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/microreg/microreg/registry"
)

func TestMetaFitsConsulLimits(t *testing.T) {
	s := &registry.Service{Name: "big", Version: "1", Metadata: map[string]string{"blob": strings.Repeat("x", 4096)}}
	for i := 0; i < 200; i++ {
		s.Endpoints = append(s.Endpoints, &registry.Endpoint{Name: "Handler.Method" + strings.Repeat("x", i%7), Request: &registry.Value{Name: "r", Type: "T"}})
	}
	n := &registry.Node{Id: "n", Address: "127.0.0.1:1", Metadata: map[string]string{"k": "v"}}
	meta, err := encodeMeta(s, n)
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
	huge := &registry.Service{Name: "huge", Metadata: map[string]string{"blob": hex.EncodeToString(blob)}}
	if _, err := encodeMeta(huge, n); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("a service too large for Consul's metadata: %v, want ErrTooLarge", err)
	}
}

// FuzzDecodeMeta feeds the metadata decoder arbitrary chunks: it must
// never panic, whatever an agent hands back.
func FuzzDecodeMeta(f *testing.F) {
	meta, _ := encodeMeta(&registry.Service{Name: "s", Version: "1"}, &registry.Node{Id: "n", Address: "h:1"})
	f.Add(meta["microreg00"], "")
	f.Add("eJyrVipTslIqS8wpTVWqBQAiXAS5", "x")
	f.Add("!!!", "")
	f.Fuzz(func(t *testing.T, a, b string) {
		_, _, _ = decodeMeta(map[string]string{"microreg00": a, "microreg01": b})
		_ = pluginPayload([]string{"v-" + a, "t-" + b, "e-" + a}, nil)
	})
}
