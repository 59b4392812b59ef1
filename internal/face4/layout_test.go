package face4

import (
	"reflect"
	"testing"

	mregistry "go-micro.dev/v4/registry"

	"github.com/microreg/microreg/engine"
)

// TestLayoutsMatch compares each engine type the face converts by pointer
// with go-micro v4's, field by field: name, offset, size, kind, JSON tag
// and, for pointers, slices and funcs, the types they lead to. Any drift
// fails here rather than corrupting memory at run time.
func TestLayoutsMatch(t *testing.T) {
	pairs := []struct{ engine, v4 any }{
		{engine.Service{}, mregistry.Service{}},
		{engine.Node{}, mregistry.Node{}},
		{engine.Endpoint{}, mregistry.Endpoint{}},
		{engine.Value{}, mregistry.Value{}},
		{engine.Result{}, mregistry.Result{}},
		{engine.RegisterOptions{}, mregistry.RegisterOptions{}},
		{engine.DeregisterOptions{}, mregistry.DeregisterOptions{}},
		{engine.GetOptions{}, mregistry.GetOptions{}},
		{engine.ListOptions{}, mregistry.ListOptions{}},
		{engine.WatchOptions{}, mregistry.WatchOptions{}},
		{engine.RegisterOption(nil), mregistry.RegisterOption(nil)},
		{engine.DeregisterOption(nil), mregistry.DeregisterOption(nil)},
		{engine.GetOption(nil), mregistry.GetOption(nil)},
		{engine.ListOption(nil), mregistry.ListOption(nil)},
		{engine.WatchOption(nil), mregistry.WatchOption(nil)},
	}
	for _, p := range pairs {
		a, b := reflect.TypeOf(p.engine), reflect.TypeOf(p.v4)
		if err := sameLayout(a, b, map[[2]reflect.Type]bool{}); err != "" {
			t.Errorf("%v and %v: %s", a, b, err)
		}
	}
}

// TestLayoutCheckFails shows sameLayout finds a drift: a struct with the
// same fields in another order, or a field of another type.
func TestLayoutCheckFails(t *testing.T) {
	type swapped struct {
		Id       string            `json:"id"`
		Metadata map[string]string `json:"metadata"`
		Address  string            `json:"address"`
	}
	type retyped struct {
		Metadata map[string]string `json:"metadata"`
		Id       []byte            `json:"id"`
		Address  string            `json:"address"`
	}
	for _, bad := range []any{swapped{}, retyped{}} {
		if sameLayout(reflect.TypeOf(bad), reflect.TypeOf(mregistry.Node{}), map[[2]reflect.Type]bool{}) == "" {
			t.Errorf("%T passed as go-micro's Node", bad)
		}
	}
}

func sameLayout(a, b reflect.Type, seen map[[2]reflect.Type]bool) string {
	if a == b || seen[[2]reflect.Type{a, b}] {
		return ""
	}
	seen[[2]reflect.Type{a, b}] = true
	if a.Kind() != b.Kind() || a.Size() != b.Size() || a.Align() != b.Align() {
		return "kind, size or alignment differ: " + a.String() + " vs " + b.String()
	}
	switch a.Kind() {
	case reflect.Struct:
		if a.NumField() != b.NumField() {
			return "field counts differ"
		}
		for i := range a.NumField() {
			fa, fb := a.Field(i), b.Field(i)
			if fa.Name != fb.Name || fa.Offset != fb.Offset || fa.Tag.Get("json") != fb.Tag.Get("json") {
				return "field " + fa.Name + " differs from " + fb.Name
			}
			if fa.Type.Kind() == reflect.Interface {
				// Only the context: the same interface type on both sides.
				if fa.Type != fb.Type {
					return "field " + fa.Name + " has another interface type"
				}
				continue
			}
			if err := sameLayout(fa.Type, fb.Type, seen); err != "" {
				return fa.Name + ": " + err
			}
		}
	case reflect.Pointer, reflect.Slice:
		return sameLayout(a.Elem(), b.Elem(), seen)
	case reflect.Map:
		if err := sameLayout(a.Key(), b.Key(), seen); err != "" {
			return err
		}
		return sameLayout(a.Elem(), b.Elem(), seen)
	case reflect.Func:
		if a.NumIn() != b.NumIn() || a.NumOut() != b.NumOut() || a.IsVariadic() != b.IsVariadic() {
			return "signatures differ"
		}
		for i := range a.NumIn() {
			if err := sameLayout(a.In(i), b.In(i), seen); err != "" {
				return err
			}
		}
		for i := range a.NumOut() {
			if err := sameLayout(a.Out(i), b.Out(i), seen); err != "" {
				return err
			}
		}
	case reflect.String, reflect.Int64, reflect.Bool, reflect.Int:
		if a.Kind() != b.Kind() {
			return "kinds differ"
		}
	default:
		if a != b {
			return "unexpected kind " + a.Kind().String()
		}
	}
	return ""
}
