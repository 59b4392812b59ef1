package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/microreg/microreg/registry"
)

// doctor runs registry.Diagnose on the backend and prints each check:
// ok, warn or fail, what it found and, for warn and fail, what to do. It
// returns 1 if a check failed. Unlike the other commands it does not stop
// when the backend cannot be reached: saying why is its job.
func doctor(backend string, addrs, args []string, asJSON bool, timeout time.Duration, stdout, stderr io.Writer, opts ...registry.Option) int {
	if len(addrs) > 0 {
		opts = append(opts, registry.Addrs(addrs...))
	}
	service := ""
	if len(args) > 0 {
		service = args[0]
	}
	r, err := registry.New(backend, opts...)
	if err != nil {
		// Not linked in: the first thing to say, as a failed check.
		return report(&registry.Diagnosis{Backend: backend, Service: service, Findings: []registry.Finding{{
			Check: "backend", Status: registry.StatusFail, Finding: err.Error(),
			Fix: "pick one of those, or blank-import the backend's package in the program that registers",
		}}}, asJSON, stdout, stderr)
	}
	defer registry.Close(r)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return report(registry.Diagnose(ctx, r, service), asJSON, stdout, stderr)
}

// report prints d as text or JSON and returns the exit status: 1 if a
// check failed.
func report(d *registry.Diagnosis, asJSON bool, stdout, stderr io.Writer) int {
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			fmt.Fprintln(stderr, "microreg:", err)
			return 1
		}
	} else {
		printDiagnosis(stdout, d)
	}
	if d.Failed() {
		return 1
	}
	return 0
}

// printDiagnosis writes d as text, one check a line (and a fix line under
// a warning or a failure).
func printDiagnosis(w io.Writer, d *registry.Diagnosis) {
	head := "microreg doctor: " + d.Backend
	if d.Service != "" {
		head += ", service " + d.Service
	}
	fmt.Fprintln(w, head)
	failed := 0
	for _, f := range d.Findings {
		fmt.Fprintf(w, "%-4s  %-16s %s\n", f.Status, f.Check, f.Finding)
		if f.Fix != "" {
			fmt.Fprintf(w, "%-4s  %-16s fix: %s\n", "", "", f.Fix)
		}
		if f.Status == registry.StatusFail {
			failed++
		}
	}
	switch failed {
	case 0:
		fmt.Fprintln(w, "no check failed")
	case 1:
		fmt.Fprintln(w, "1 check failed")
	default:
		fmt.Fprintf(w, "%d checks failed\n", failed)
	}
}
