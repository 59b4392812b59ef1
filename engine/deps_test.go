package engine_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestEngineImportsNoGoMicro is the README's check: no package of the
// engine, nor anything it imports, is go-micro's.
func TestEngineImportsNoGoMicro(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/microreg/microreg/engine/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list listed only %d packages: %q", len(deps), deps)
	}
	for _, p := range deps {
		if strings.HasPrefix(p, "go-micro.dev/") || strings.HasPrefix(p, "github.com/go-micro/") {
			t.Errorf("the engine imports %s", p)
		}
	}
}
