package face5

import (
	"reflect"
	"testing"

	mregistry "go-micro.dev/v5/registry"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/internal/face"
)

// TestLayoutsMatch checks every type the face converts by pointer against
// go-micro v5's (see face.SameLayout): any drift fails here rather than
// corrupting memory at run time.
func TestLayoutsMatch(t *testing.T) {
	for _, p := range [][2]any{
		{engine.Service{}, mregistry.Service{}},
		{engine.Result{}, mregistry.Result{}},
		{engine.RegisterOption(nil), mregistry.RegisterOption(nil)},
		{engine.DeregisterOption(nil), mregistry.DeregisterOption(nil)},
		{engine.GetOption(nil), mregistry.GetOption(nil)},
		{engine.ListOption(nil), mregistry.ListOption(nil)},
		{engine.WatchOption(nil), mregistry.WatchOption(nil)},
	} {
		if err := face.SameLayout(reflect.TypeOf(p[0]), reflect.TypeOf(p[1])); err != nil {
			t.Error(err)
		}
	}
}
