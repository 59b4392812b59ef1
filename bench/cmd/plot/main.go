// Command plot reads `go test -bench` output of the scale benchmarks
// (BenchmarkScaleX/OP/KEY=N/CONTENDER) on standard input and writes an SVG
// of their curves on standard output: one panel a benchmark and
// operation, N on a log axis, the cost on a log axis (ns/op, or the first
// -ms metric for benchmarks that report one), one line a contender.
//
//	go test -run '^$' -bench '^BenchmarkScale' . | go run ./cmd/plot > scale.svg
package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/microreg/microreg/bench/internal/units"
)

var line = regexp.MustCompile(`^Benchmark(Scale\w+)/(\w+)/(\w+)=(\d+)/(?:impl=)?(\w+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// point is one measured cost; a curve's points are averaged per x.
type curve struct {
	xs   map[float64][]float64
	unit string
}

type panel struct {
	title  string
	xLabel string
	curves map[string]*curve
}

func main() {
	panels, order, err := read(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "plot:", err)
		os.Exit(1)
	}
	if len(order) == 0 {
		fmt.Fprintln(os.Stderr, "plot: no BenchmarkScale lines on standard input")
		os.Exit(1)
	}
	write(os.Stdout, panels, order)
}

func read(r io.Reader) (map[string]*panel, []string, error) {
	panels := map[string]*panel{}
	var order []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		family, op, key, who := m[1], m[2], m[3], m[5]
		x, _ := strconv.ParseFloat(m[4], 64)
		y, unit, ok := cost(strings.Fields(m[6]))
		if !ok {
			continue
		}
		id := family + " " + op
		p := panels[id]
		if p == nil {
			p = &panel{title: strings.TrimPrefix(family, "Scale") + " " + op, xLabel: key, curves: map[string]*curve{}}
			panels[id] = p
			order = append(order, id)
		}
		c := p.curves[who]
		if c == nil {
			c = &curve{xs: map[float64][]float64{}, unit: unit}
			p.curves[who] = c
		}
		c.xs[x] = append(c.xs[x], y)
	}
	return panels, order, sc.Err()
}

// cost picks the plotted value from a result's "value unit" pairs: the
// first -ms metric if there is one, else ns/op.
func cost(f []string) (float64, string, bool) {
	var ns float64
	found := false
	for i := 0; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			continue
		}
		if strings.HasSuffix(f[i+1], "-ms") && f[i+1] != "p99-ms" {
			return v, "ms (" + f[i+1] + ")", true
		}
		if f[i+1] == "ns/op" {
			ns, found = v, true
		}
	}
	return ns, "ns/op", found
}

const (
	pw, ph   = 420, 300 // a panel
	ml, mb   = 70, 45   // left and bottom margins inside a panel
	mt, mr   = 30, 15
	cols     = 2
	fontSize = 11
)

var colors = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"} // microreg blue, rivals red

func write(w io.Writer, panels map[string]*panel, order []string) {
	rows := (len(order) + cols - 1) / cols
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="%d">`+"\n",
		cols*pw, rows*ph, fontSize)
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	for i, id := range order {
		ox, oy := (i%cols)*pw, (i/cols)*ph
		drawPanel(w, panels[id], ox, oy)
	}
	fmt.Fprintln(w, "</svg>")
}

func drawPanel(w io.Writer, p *panel, ox, oy int) {
	names := make([]string, 0, len(p.curves))
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	unit := ""
	for name, c := range p.curves {
		names = append(names, name)
		unit = c.unit
		for x, ys := range c.xs {
			y := units.Mean(ys)
			minX, maxX = math.Min(minX, x), math.Max(maxX, x)
			minY, maxY = math.Min(minY, y), math.Max(maxY, y)
		}
	}
	// microreg first, so that it has the same colour in every panel.
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "microreg") != (names[j] == "microreg") {
			return names[i] == "microreg"
		}
		return names[i] < names[j]
	})
	lx0, lx1 := math.Floor(math.Log10(minX)), math.Ceil(math.Log10(maxX))
	ly0, ly1 := math.Floor(math.Log10(math.Max(minY, 1e-3))), math.Ceil(math.Log10(math.Max(maxY, 1e-3)))
	if lx1 == lx0 {
		lx1++
	}
	if ly1 == ly0 {
		ly1++
	}
	x0, x1 := float64(ox+ml), float64(ox+pw-mr)
	y0, y1 := float64(oy+ph-mb), float64(oy+mt)
	px := func(x float64) float64 { return x0 + (math.Log10(x)-lx0)/(lx1-lx0)*(x1-x0) }
	py := func(y float64) float64 { return y0 - (math.Log10(math.Max(y, 1e-3))-ly0)/(ly1-ly0)*(y0-y1) }

	fmt.Fprintf(w, `<text x="%d" y="%d" font-weight="bold">%s, %s (log)</text>`+"\n", ox+ml, oy+18, p.title, unit)
	fmt.Fprintf(w, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="none" stroke="#999"/>`+"\n", x0, y1, x1-x0, y0-y1)
	for e := lx0; e <= lx1; e++ {
		x := px(math.Pow(10, e))
		fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>`+"\n", x, y0, x, y1)
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x, y0+14, num(math.Pow(10, e)))
	}
	for e := ly0; e <= ly1; e++ {
		y := py(math.Pow(10, e))
		fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>`+"\n", x0, y, x1, y)
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", x0-4, y+4, num(math.Pow(10, e)))
	}
	fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="middle">%s (log)</text>`+"\n", (x0+x1)/2, y0+32, p.xLabel)
	for i, name := range names {
		c := p.curves[name]
		xs := make([]float64, 0, len(c.xs))
		for x := range c.xs {
			xs = append(xs, x)
		}
		sort.Float64s(xs)
		var pts []string
		color := colors[i%len(colors)]
		for _, x := range xs {
			y := units.Mean(c.xs[x])
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(x), py(y)))
			fmt.Fprintf(w, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s %s=%s: %s %s</title></circle>`+"\n",
				px(x), py(y), color, name, p.xLabel, num(x), num(y), unit)
		}
		fmt.Fprintf(w, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.Join(pts, " "), color)
		ly := y1 + 14 + float64(i)*14
		fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="3"/>`+"\n", x0+8, ly-4, x0+26, ly-4, color)
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f">%s</text>`+"\n", x0+30, ly, name)
	}
}

func num(v float64) string {
	switch {
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'g', 3, 64) + "M"
	case v >= 1e3:
		return strconv.FormatFloat(v/1e3, 'g', 3, 64) + "k"
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}
