package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/microreg/microreg/registry/registrytest"
)

// childEnv marks a test binary that runs one conformance case for a
// rival's report.
const childEnv = "MICROREG_RIVAL_CASE"

// CaseOutcome is how a rival did on one conformance case.
type CaseOutcome struct {
	Case   string
	Passed bool
	Reason string // the first failure line, when it failed
}

// RivalConformance runs the conformance suite against a rival without
// failing the calling test: each case runs in a child test process (a
// rival that panics or hangs ends only that case), and the outcomes are
// returned for a report. testName is the calling test's name; the child
// re-enters it with childEnv set, and then it must call run(t) instead.
//
// It marks t parallel: a report's cases mostly wait (for changes that a
// rival never makes, up to the world's Wait), so reports run side by side
// once the package's other tests are done.
func RivalConformance(t *testing.T, testName string, perCase time.Duration, env ...string) []CaseOutcome {
	t.Helper()
	t.Parallel()
	var out []CaseOutcome
	fail := regexp.MustCompile(`^\s+(\S+\.go:\d+: .*)$`)
	for _, c := range registrytest.Cases() {
		ctx, cancel := context.WithTimeout(context.Background(), perCase)
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+testName+"$/^"+c+"$", "-test.v", "-test.count=1")
		cmd.Env = append(append(os.Environ(), childEnv+"=1"), env...)
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		err := cmd.Run()
		cancel()
		o := CaseOutcome{Case: c, Passed: err == nil && strings.Contains(buf.String(), "--- PASS: "+testName+"/"+c)}
		if !o.Passed {
			o.Reason = firstReason(buf.String(), fail, ctx.Err())
		}
		out = append(out, o)
	}
	return out
}

func firstReason(output string, fail *regexp.Regexp, ctxErr error) string {
	sc := bufio.NewScanner(strings.NewReader(output))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := fail.FindStringSubmatch(line); m != nil {
			return clip(m[1])
		}
		if strings.HasPrefix(line, "panic: ") {
			return clip(line)
		}
	}
	if ctxErr != nil {
		return "hung: killed after the per-case limit"
	}
	return "failed with no message"
}

func clip(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}

// IsRivalChild reports whether this process is a child started by
// RivalConformance.
func IsRivalChild() bool { return os.Getenv(childEnv) == "1" }

// LogOutcomes writes outcomes as a Markdown table to the test log and
// returns how many cases failed.
func LogOutcomes(t *testing.T, rival string, outcomes []CaseOutcome) int {
	t.Helper()
	var b strings.Builder
	failed := 0
	fmt.Fprintf(&b, "\nconformance of %s:\n| case | result | reason |\n|---|---|---|\n", rival)
	for _, o := range outcomes {
		if o.Passed {
			fmt.Fprintf(&b, "| %s | pass | |\n", o.Case)
			continue
		}
		failed++
		fmt.Fprintf(&b, "| %s | **fail** | %s |\n", o.Case, strings.ReplaceAll(o.Reason, "|", "\\|"))
	}
	fmt.Fprintf(&b, "%s fails %d of %d cases\n", rival, failed, len(outcomes))
	t.Log(b.String())
	return failed
}

// Impl names a contender's sub-benchmark "impl=NAME", the key=value form
// benchstat reads: `benchstat -col /impl` puts each contender in a column.
func Impl(name string) string { return "impl=" + name }
