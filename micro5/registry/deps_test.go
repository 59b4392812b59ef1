package registry_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestV5FaceImportsNoV4: no package of the go-micro v5 face (its backends,
// registry, examples), nor anything they import, is go-micro v4's, nor a
// go-micro v4 plugin.
func TestV5FaceImportsNoV4(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/microreg/microreg/micro5/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	v5 := false
	for _, p := range strings.Fields(string(out)) {
		v5 = v5 || strings.HasPrefix(p, "go-micro.dev/v5/")
		if strings.HasPrefix(p, "go-micro.dev/v4") || strings.HasPrefix(p, "github.com/go-micro/plugins/v4") {
			t.Errorf("the v5 face imports %s", p)
		}
	}
	if !v5 {
		t.Error("the v5 face lists no go-micro v5 package: go list answered something else")
	}
}
