package engine

import (
	"slices"
	"testing"
)

func TestClosest(t *testing.T) {
	known := []string{"greeter", "Greeter", "billing", "go.micro.srv.greeter", "gateway"}
	for name, want := range map[string][]string{
		"greeter":  {"Greeter"},            // itself is never a suggestion
		"GREETER":  {"greeter", "Greeter"}, // case first
		"greter":   {"greeter", "Greeter"},
		"gretter":  {"greeter", "Greeter"},
		"biling":   {"billing"},
		"payments": nil,
		"api":      nil,
	} {
		if got := closest(name, known); !slices.Equal(got, want) {
			t.Errorf("closest(%q) = %q, want %q", name, got, want)
		}
	}
}
