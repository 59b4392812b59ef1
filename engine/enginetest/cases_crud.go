package enginetest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/microreg/microreg/engine"
)

// caseRegisterThenGetService is the conformance case RegisterThenGetService.
func caseRegisterThenGetService(e *env) {
	s := service(e.name("greeter"), "1.0.0", node("greeter-1", "127.0.0.1:8001"))
	e.mustRegister(e.a, s)
	e.has(e.b, s.Name, s)
	e.has(e.a, s.Name, s)
}

// caseGetUnknownServiceIsErrNotFound is the conformance case GetUnknownServiceIsErrNotFound.
func caseGetUnknownServiceIsErrNotFound(e *env) {
	_, err := e.b.GetService(e.name("nobody"))
	if err != engine.ErrNotFound { //nolint:errorlint // the sentinel itself is promised
		e.t.Fatalf("GetService of an unknown service: got %v, want ErrNotFound itself (go-micro's, unwrapped, through a face)", err)
	}
}

// caseListServicesIncludesRegistered is the conformance case ListServicesIncludesRegistered.
func caseListServicesIncludesRegistered(e *env) {
	x := service(e.name("list-x"), "1.0.0", node("x-1", "127.0.0.1:8002"))
	y := service(e.name("list-y"), "2.0.0", node("y-1", "127.0.0.1:8003"))
	e.mustRegister(e.a, x)
	e.mustRegister(e.a, y)
	e.eventually("ListServices shows both", func() error {
		list, err := e.b.ListServices()
		if err != nil {
			return err
		}
		for _, want := range []*engine.Service{x, y} {
			if !slices.ContainsFunc(list, func(s *engine.Service) bool {
				return s.Name == want.Name && s.Version == want.Version
			}) {
				return fmt.Errorf("%s@%s missing from %s", want.Name, want.Version, describe(list))
			}
		}
		return nil
	})
}

// caseDeregisterRemovesService is the conformance case DeregisterRemovesService.
func caseDeregisterRemovesService(e *env) {
	s := service(e.name("gone"), "1.0.0", node("gone-1", "127.0.0.1:8004"))
	e.mustRegister(e.a, s)
	e.has(e.b, s.Name, s)
	e.mustDeregister(e.a, s)
	e.has(e.b, s.Name)
	e.eventually("ListServices drops it", func() error {
		list, err := e.b.ListServices()
		if err != nil {
			return err
		}
		if slices.ContainsFunc(list, func(x *engine.Service) bool { return x.Name == s.Name }) {
			return fmt.Errorf("%s still listed", s.Name)
		}
		return nil
	})
}

// caseDeregisterUnknownIsNotAnError is the conformance case DeregisterUnknownIsNotAnError.
func caseDeregisterUnknownIsNotAnError(e *env) {
	s := service(e.name("never"), "1.0.0", node("never-1", "127.0.0.1:8005"))
	if err := e.a.Deregister(s); err != nil {
		e.t.Fatalf("Deregister of a service never registered: %v", err)
	}
	e.has(e.a, s.Name)
}

// caseStringNamesTheBackend is the conformance case StringNamesTheBackend.
func caseStringNamesTheBackend(e *env) {
	name := e.a.String()
	if name == "" || strings.ContainsAny(name, " \t\n") {
		e.t.Fatalf("String() = %q, want a backend name usable as --registry=NAME", name)
	}
	if e.world.Name != "" && name != e.world.Name {
		e.t.Fatalf("String() = %q, want %q", name, e.world.Name)
	}
}
