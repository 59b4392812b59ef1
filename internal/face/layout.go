package face

import (
	"fmt"
	"reflect"
)

// SameLayout returns an error unless a and b share a memory layout the
// face may convert between: the same fields in the same order, each at
// the same offset with the same size, kind and JSON tag, and, behind
// pointers, slices, maps and funcs, types that share a layout in turn.
// Interface fields must be the same interface type. Faces check every
// type they convert with it.
func SameLayout(a, b reflect.Type) error {
	return sameLayout(a, b, map[[2]reflect.Type]bool{})
}

func sameLayout(a, b reflect.Type, seen map[[2]reflect.Type]bool) error {
	if a == b || seen[[2]reflect.Type{a, b}] {
		return nil
	}
	seen[[2]reflect.Type{a, b}] = true
	if a.Kind() != b.Kind() || a.Size() != b.Size() || a.Align() != b.Align() {
		return fmt.Errorf("%v and %v differ in kind, size or alignment", a, b)
	}
	switch a.Kind() {
	case reflect.Struct:
		if a.NumField() != b.NumField() {
			return fmt.Errorf("%v has %d fields, %v %d", a, a.NumField(), b, b.NumField())
		}
		for i := range a.NumField() {
			fa, fb := a.Field(i), b.Field(i)
			if fa.Name != fb.Name || fa.Offset != fb.Offset || fa.Tag.Get("json") != fb.Tag.Get("json") {
				return fmt.Errorf("field %d of %v is %s, of %v %s", i, a, fa.Name, b, fb.Name)
			}
			if fa.Type.Kind() == reflect.Interface && fa.Type != fb.Type {
				return fmt.Errorf("field %s of %v and %v: interfaces %v and %v", fa.Name, a, b, fa.Type, fb.Type)
			}
			if err := sameLayout(fa.Type, fb.Type, seen); err != nil {
				return fmt.Errorf("%s: %w", fa.Name, err)
			}
		}
	case reflect.Pointer, reflect.Slice:
		return sameLayout(a.Elem(), b.Elem(), seen)
	case reflect.Map:
		if err := sameLayout(a.Key(), b.Key(), seen); err != nil {
			return err
		}
		return sameLayout(a.Elem(), b.Elem(), seen)
	case reflect.Func:
		if a.NumIn() != b.NumIn() || a.NumOut() != b.NumOut() || a.IsVariadic() != b.IsVariadic() {
			return fmt.Errorf("%v and %v differ in signature", a, b)
		}
		for i := range a.NumIn() {
			if err := sameLayout(a.In(i), b.In(i), seen); err != nil {
				return err
			}
		}
		for i := range a.NumOut() {
			if err := sameLayout(a.Out(i), b.Out(i), seen); err != nil {
				return err
			}
		}
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
	default:
		if a != b {
			return fmt.Errorf("%v and %v: kind %v is not compared", a, b, a.Kind())
		}
	}
	return nil
}
