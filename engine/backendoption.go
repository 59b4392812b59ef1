package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrOption is wrapped by the error a backend returns for an option it
// cannot apply: another backend's (consul.New(gossip.SecretKey(k))), or
// one that takes effect only when the registry is built, given to Init
// (mdns's Init(mdns.Interface("eth0"))). The error names the option.
var ErrOption = errors.New("option cannot apply")

// optionMark names one backend option set in Options: the backend it
// belongs to and how users write it.
type optionMark struct{ backend, name string }

type marksKey struct{}

// BackendOption is ContextOption for an option of one backend, recorded
// by name (as users write it: "gossip.SecretKey") so that a backend given
// another backend's option, or an option it cannot apply in Init, can say
// which (CheckOptions, CheckInit). Every backend option of this module is
// one.
func BackendOption(backend, name string, key, value any) Option {
	return Marked(backend, name, ContextOption(key, value))
}

// Marked is opt, recorded as the option name of backend (see
// BackendOption): e.g. memory.Clock is Marked("memory", "memory.Clock",
// ClockOption(c)).
func Marked(backend, name string, opt Option) Option {
	return func(o *Options) {
		opt(o)
		marks, _ := ContextValue[[]optionMark](*o, marksKey{})
		ContextOption(marksKey{}, append(slices.Clip(marks), optionMark{backend, name}))(o)
	}
}

// CheckOptions returns an error wrapping ErrOption that names every option
// in o that belongs to a backend other than backend, or nil.
func CheckOptions(o Options, backend string) error {
	return check(o, backend, nil)
}

// CheckInit returns an error wrapping ErrOption that names every option
// among opts that belongs to another backend, or that applies (says
// atRuntime) only when the registry is built; nil if each can apply. A
// backend's Init calls it before applying anything, so an Init that fails
// changes nothing.
func CheckInit(backend string, atRuntime func(name string) bool, opts ...Option) error {
	var o Options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return check(o, backend, atRuntime)
}

func check(o Options, backend string, atRuntime func(string) bool) error {
	marks, _ := ContextValue[[]optionMark](o, marksKey{})
	var bad []string
	for _, m := range marks {
		var why string
		switch {
		case m.backend != backend:
			why = fmt.Sprintf("%s is an option of the %s backend", m.name, m.backend)
		case atRuntime != nil && !atRuntime(m.name):
			why = fmt.Sprintf("%s applies only when the registry is built: pass it to New", m.name)
		default:
			continue
		}
		if !slices.Contains(bad, why) {
			bad = append(bad, why)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %w: %s", backend, ErrOption, strings.Join(bad, "; "))
}
