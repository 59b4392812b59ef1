// Command ratios reads `go test -bench` output on standard input and prints,
// for every benchmark run as BenchmarkX/impl=microreg and BenchmarkX/impl=RIVAL, the
// mean of each unit for both and the rival's value divided by ours (above 1
// means microreg uses less). Usage:
//
//	go test -run '^$' -bench . -benchmem -count 3 . | go run ./cmd/ratios
//
// With -q it prints only the table, not the input before it; with
// -match REGEXP only the rows whose "benchmark unit" (the benchmark name
// without its contender, a space, the unit) matches.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/microreg/microreg/bench/internal/units"
)

type key struct{ bench, who, unit string }

func main() {
	quiet := flag.Bool("q", false, "print only the table")
	match := flag.String("match", "", "print only the rows whose \"benchmark unit\" matches this regexp")
	flag.Parse()
	keep, err := regexp.Compile(*match)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ratios: -match:", err)
		os.Exit(2)
	}
	line := regexp.MustCompile(`^(Benchmark[^\s]+?)/impl=([^\s/]+?)(-\d+)?\s+\d+\s+(.*)$`)
	sums := map[key][]float64{}
	var order []string
	seen := map[string]bool{}
	name := regexp.MustCompile(`^(Benchmark\S+)\s`)
	result := regexp.MustCompile(`^\s+(\d+\s+.*ns/op.*)$`)
	pending := "" // a benchmark name whose results were pushed to a later line
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		text := sc.Text()
		if !*quiet {
			fmt.Println(text)
		}
		if n := name.FindStringSubmatch(text); n != nil && !strings.Contains(text, "ns/op") {
			pending = n[1] // its results come on a later line
			continue
		}
		if r := result.FindStringSubmatch(text); r != nil && pending != "" && !strings.HasPrefix(text, "Benchmark") {
			text = pending + "\t" + r[1]
			pending = ""
		}
		m := line.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		f := strings.Fields(m[4])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			k := key{m[1], m[2], f[i+1]}
			sums[k] = append(sums[k], v)
		}
		if !seen[m[1]] {
			seen[m[1]] = true
			order = append(order, m[1])
		}
	}
	if !*quiet {
		fmt.Println()
	}
	fmt.Println("| benchmark | unit | microreg | rival | rival | rival ÷ microreg |")
	fmt.Println("|---|---|---:|---|---:|---:|")
	for _, b := range order {
		var rows []string
		for k, ours := range sums {
			if k.bench != b || k.who != "microreg" {
				continue
			}
			if !keep.MatchString(b + " " + k.unit) {
				continue
			}
			for k2, theirs := range sums {
				if k2.bench != b || k2.unit != k.unit || k2.who == "microreg" {
					continue
				}
				o, t := units.Mean(ours), units.Mean(theirs)
				ratio := "n/a"
				if o > 0 {
					ratio = fmt.Sprintf("%.2f×", t/o)
				}
				rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s | %s |", b, k.unit, units.Num(o), k2.who, units.Num(t), ratio))
			}
		}
		sort.Strings(rows)
		for _, r := range rows {
			fmt.Println(r)
		}
	}
}
