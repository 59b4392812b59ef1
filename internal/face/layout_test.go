package face

import (
	"reflect"
	"testing"

	"github.com/microreg/microreg/engine"
)

// TestSameLayoutFindsDrift shows the check can fail: a struct with the
// same fields in another order, or a field of another type, is not the
// engine's Node.
func TestSameLayoutFindsDrift(t *testing.T) {
	type same struct {
		Metadata map[string]string `json:"metadata"`
		Id       string            `json:"id"` //nolint:revive
		Address  string            `json:"address"`
	}
	type swapped struct {
		Id       string            `json:"id"` //nolint:revive
		Metadata map[string]string `json:"metadata"`
		Address  string            `json:"address"`
	}
	type retyped struct {
		Metadata map[string]string `json:"metadata"`
		Id       []byte            `json:"id"` //nolint:revive
		Address  string            `json:"address"`
	}
	type retagged struct {
		Metadata map[string]string `json:"metadata"`
		Id       string            `json:"ID"` //nolint:revive
		Address  string            `json:"address"`
	}
	node := reflect.TypeOf(engine.Node{})
	if err := SameLayout(reflect.TypeOf(same{}), node); err != nil {
		t.Errorf("the same layout: %v", err)
	}
	for _, bad := range []any{swapped{}, retyped{}, retagged{}} {
		if SameLayout(reflect.TypeOf(bad), node) == nil {
			t.Errorf("%T passed as the engine's Node", bad)
		}
	}
}
