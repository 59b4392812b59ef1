package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Status is how one diagnostic check came out.
type Status int

// The statuses, from good to bad.
const (
	StatusOK   Status = iota // nothing wrong
	StatusWarn               // works, but something may hide services or soon will
	StatusFail               // this is why a service is not found, or nothing works
)

// String returns "ok", "warn" or "fail".
func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusWarn:
		return "warn"
	case StatusFail:
		return "fail"
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// MarshalText writes the status as String does, for JSON.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Finding is the result of one check: its name, how it came out, what it
// found in one line and, for a warning or a failure, what to do.
type Finding struct {
	Check   string `json:"check"`
	Status  Status `json:"status"`
	Finding string `json:"finding"`
	Fix     string `json:"fix,omitempty"`
}

// Diagnoser is implemented by a backend that can say, in its own terms,
// why a service is or is not found (as database/sql's optional driver
// interfaces, it is found with a type assertion). Diagnose never changes
// what is registered; service is empty to check the backend alone.
type Diagnoser interface {
	Diagnose(ctx context.Context, service string) []Finding
}

// Diagnosis is what Diagnose found.
type Diagnosis struct {
	Backend  string    `json:"backend"`
	Service  string    `json:"service,omitempty"`
	Findings []Finding `json:"checks"`
}

// Check returns the finding of the check named name, if it ran.
func (d *Diagnosis) Check(name string) (Finding, bool) {
	i := slices.IndexFunc(d.Findings, func(f Finding) bool { return f.Check == name })
	if i < 0 {
		return Finding{}, false
	}
	return d.Findings[i], true
}

// Failed reports whether any check failed.
func (d *Diagnosis) Failed() bool {
	return slices.ContainsFunc(d.Findings, func(f Finding) bool { return f.Status == StatusFail })
}

// Diagnose runs the checks every backend shares and, if r is a
// Diagnoser, its own: the backend answers a listing; with a service, the
// service is found, or the names closest to it that exist (by case and
// edit distance) with their versions. It changes nothing registered.
func Diagnose(ctx context.Context, r Registry, service string) *Diagnosis {
	d := &Diagnosis{Backend: r.String(), Service: service}
	if dg, ok := r.(Diagnoser); ok {
		d.Findings = append(d.Findings, dg.Diagnose(ctx, service)...)
	}
	list, err := r.ListServices(ListContext(ctx))
	d.Findings = append(d.Findings, checkListing(r.String(), list, err))
	if service != "" && err == nil {
		got, gerr := r.GetService(service, GetContext(ctx))
		f := checkService(service, got, gerr, list)
		if f.Status == StatusFail && !strings.HasPrefix(f.Fix, "did you mean") && d.Failed() {
			f.Fix = "see the failed checks above"
		}
		d.Findings = append(d.Findings, f)
	}
	return d
}

// checkListing is the check that the backend answers at all.
func checkListing(backend string, list []*Service, err error) Finding {
	f := Finding{Check: "listing"}
	if err != nil {
		f.Status, f.Finding = StatusFail, fmt.Sprintf("%s cannot list services: %v", backend, err)
		f.Fix = "see the checks above for why the backend cannot be reached"
		return f
	}
	f.Finding = fmt.Sprintf("%s lists %s", backend, count(len(names(list)), "service"))
	return f
}

// checkService is the check that service is found: got and err are its
// GetService, list what ListServices returned (for the closest names).
func checkService(service string, got []*Service, err error, list []*Service) Finding {
	f := Finding{Check: "service"}
	switch {
	case err == nil && len(got) > 0:
		f.Finding = fmt.Sprintf("%s found: %s", service, versions(got))
		return f
	case err != nil && !errors.Is(err, ErrNotFound):
		f.Status, f.Finding = StatusFail, fmt.Sprintf("looking up %s failed: %v", service, err)
		return f
	}
	f.Status, f.Finding = StatusFail, fmt.Sprintf("%s is not registered (or no instance of it is visible)", service)
	if near := closest(service, names(list)); len(near) > 0 {
		var with []string
		for _, n := range near {
			with = append(with, n+" ("+versions(byName(list, n))+")")
		}
		f.Fix = "did you mean " + strings.Join(with, ", ") + "?"
	} else {
		f.Fix = "check the name the server registers (its micro.Name) and that it runs against this registry"
	}
	return f
}

func names(list []*Service) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(out, s.Name) {
			out = append(out, s.Name)
		}
	}
	return out
}

func byName(list []*Service, name string) []*Service {
	var out []*Service
	for _, s := range list {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// versions describes the versions of one service and their nodes.
func versions(vs []*Service) string {
	var parts []string
	for _, v := range vs {
		version := v.Version
		if version == "" {
			version = `""`
		}
		if v.Nodes == nil {
			parts = append(parts, "version "+version)
			continue
		}
		parts = append(parts, fmt.Sprintf("version %s, %s", version, count(len(v.Nodes), "node")))
	}
	return strings.Join(parts, "; ")
}

// count is "1 node", "2 nodes".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
