package main

import (
	"flag"
	"io"
	"os"
	"strings"
	"testing"
)

// runMain runs the command on input with args and returns what it printed.
func runMain(t *testing.T, input string, args ...string) string {
	t.Helper()
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	oldIn, oldOut, oldArgs, oldFlags := os.Stdin, os.Stdout, os.Args, flag.CommandLine
	os.Stdin, os.Stdout, os.Args = inR, outW, append([]string{"ratios"}, args...)
	flag.CommandLine = flag.NewFlagSet("ratios", flag.ExitOnError)
	defer func() { os.Stdin, os.Stdout, os.Args, flag.CommandLine = oldIn, oldOut, oldArgs, oldFlags }()
	go func() { io.WriteString(inW, input); inW.Close() }()
	done := make(chan string)
	go func() { b, _ := io.ReadAll(outR); done <- string(b) }()
	main()
	outW.Close()
	return <-done
}

const sample = `goos: linux
BenchmarkGetService/impl=microreg-2   100  2000 ns/op  30 allocs/op
BenchmarkGetService/impl=microreg-2   100  4000 ns/op  30 allocs/op
BenchmarkGetService/impl=gomicro-2    100  6000 ns/op  60 allocs/op
BenchmarkGossipFailure/N=30/impl=microreg-2 	1	2846715318 ns/op	 1 gone	 2537 p50-ms
` +
	// go test prints a slow benchmark's name, padded, before it runs, and
	// its results on a later line, after whatever the benchmark logged.
	"BenchmarkGossipFailure/N=30/impl=plugin-2     \t" + `
    gossip_test.go:229: plugin: the service reached 12 of 29 before the crash
    1	23203371140 ns/op	 0.882 gone	 15001 p50-ms
`

func TestRatiosMeansAndDividesRivalByMicroreg(t *testing.T) {
	out := runMain(t, sample, "-q")
	for _, row := range []string{
		"| BenchmarkGetService | ns/op | 3000 | gomicro | 6000 | 2.00× |",
		"| BenchmarkGetService | allocs/op | 30 | gomicro | 60 | 2.00× |",
		// results on a later line than the name
		"| BenchmarkGossipFailure/N=30 | gone | 1 | plugin | 0.882 | 0.88× |",
		"| BenchmarkGossipFailure/N=30 | p50-ms | 2537 | plugin | 15001 | 5.91× |",
	} {
		if !strings.Contains(out, row+"\n") {
			t.Errorf("missing row %q in:\n%s", row, out)
		}
	}
	if strings.Contains(out, "goos") {
		t.Errorf("-q printed the input:\n%s", out)
	}
}

func TestRatiosMatchKeepsOnlyTheNamedRows(t *testing.T) {
	out := runMain(t, sample, "-q", "-match", `^BenchmarkGetService ns/op$`)
	if !strings.Contains(out, "| BenchmarkGetService | ns/op |") {
		t.Errorf("the matching row is missing:\n%s", out)
	}
	if strings.Contains(out, "allocs/op") || strings.Contains(out, "Failure") {
		t.Errorf("rows that do not match were printed:\n%s", out)
	}
	if !strings.Contains(runMain(t, sample), "goos: linux") {
		t.Error("without -q the input is not echoed")
	}
}
