package engine_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/microreg/microreg/engine"
)

// randomSnapshot builds a snapshot of one name from a few versions and
// nodes, with addresses and metadata that vary.
func randomSnapshot(rng *rand.Rand) []*engine.Service {
	var out []*engine.Service
	for _, v := range []string{"1", "2", "3"} {
		if rng.IntN(3) == 0 {
			continue
		}
		s := &engine.Service{Name: "x", Version: v, Metadata: map[string]string{"m": fmt.Sprint(rng.IntN(2))}}
		for i := 0; i < 4; i++ {
			if rng.IntN(2) == 0 {
				s.Nodes = append(s.Nodes, &engine.Node{Id: fmt.Sprint("n", i), Address: fmt.Sprintf("h:%d", 1+rng.IntN(2)),
					Metadata: map[string]string{"k": fmt.Sprint(rng.IntN(2))}})
			}
		}
		if len(s.Nodes) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// TestDiffThenApply checks the property the watch machinery rests on:
// applying Diff(old, new) to old gives new, for random snapshots.
func TestDiffThenApply(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 5000; i++ {
		old, next := randomSnapshot(rng), randomSnapshot(rng)
		view := old
		for _, r := range engine.Diff(old, next) {
			view = engine.Replay(view, r)
		}
		if !sameSnapshot(view, next) {
			t.Fatalf("case %d: Diff+Apply gave %v, want %v", i, dump(view), dump(next))
		}
		if len(engine.Diff(next, next)) != 0 {
			t.Fatalf("case %d: a snapshot differs from itself", i)
		}
	}
}

func sameSnapshot(a, b []*engine.Service) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		i := slices.IndexFunc(b, func(y *engine.Service) bool { return y.Version == x.Version })
		if i < 0 || len(b[i].Nodes) != len(x.Nodes) {
			return false
		}
		for _, n := range x.Nodes {
			j := slices.IndexFunc(b[i].Nodes, func(m *engine.Node) bool { return m.Id == n.Id })
			if j < 0 || !engine.EqualNode(n, b[i].Nodes[j]) {
				return false
			}
		}
	}
	return true
}

func dump(s []*engine.Service) string {
	out := ""
	for _, v := range s {
		out += v.Version + ":"
		for _, n := range v.Nodes {
			out += n.Id + "@" + n.Address + ","
		}
		out += " "
	}
	return out
}
