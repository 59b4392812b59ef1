package engine_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestEngineImportsNoGoMicro is the README's check: no package of the
// engine, nor anything it imports, is go-micro's.
func TestEngineImportsNoGoMicro(t *testing.T) {
	for _, p := range deps(t, "github.com/microreg/microreg/engine/...") {
		if strings.HasPrefix(p, "go-micro.dev/") || strings.HasPrefix(p, "github.com/go-micro/") {
			t.Errorf("the engine imports %s", p)
		}
	}
}

// TestV4FaceImportsNoV5: nothing of this module (the go-micro v4 face,
// its examples and CLI) links go-micro v5.
func TestV4FaceImportsNoV5(t *testing.T) {
	v4 := false
	for _, p := range deps(t, "github.com/microreg/microreg/...") {
		v4 = v4 || strings.HasPrefix(p, "go-micro.dev/v4/")
		if strings.HasPrefix(p, "go-micro.dev/v5") || strings.HasPrefix(p, "go-micro.dev/v6") {
			t.Errorf("the v4 face imports %s", p)
		}
	}
	if !v4 {
		t.Error("the v4 face lists no go-micro v4 package: go list answered something else")
	}
}

// deps is what go list -deps says pattern's packages import, themselves
// included (not their tests).
func deps(t *testing.T, pattern string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pattern).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list listed only %d packages: %q", len(deps), deps)
	}
	return deps
}
