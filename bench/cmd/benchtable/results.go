package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// results holds every sample of every metric of every benchmark.
type results struct {
	order   []string                        // benchmark names, first seen first
	samples map[string]map[string][]float64 // name -> unit -> values
	units   map[string][]string             // name -> units, first seen first
	config  []string                        // goos, cpu, ... lines
}

func newResults() *results {
	return &results{samples: map[string]map[string][]float64{}, units: map[string][]string{}}
}

// procSuffix is the -GOMAXPROCS suffix of a benchmark's name, and the
// #NN that `go test` appends to a sub-benchmark run again under the same
// name (the interleaved rounds of BenchmarkRealScheduler).
var procSuffix = regexp.MustCompile(`(#\d+)?(-\d+)?$`)

// parse reads the lines of `go test -bench` output: "BenchmarkName-2 N
// value unit value unit ...". Other lines are skipped, but the
// configuration lines (cpu: ...) are kept once.
func (r *results) parse(in io.Reader, source string) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if k, _, ok := strings.Cut(text, ": "); ok && (k == "goos" || k == "goarch" || k == "cpu") {
			if !slices.Contains(r.config, text) {
				r.config = append(r.config, text)
			}
			continue
		}
		f := strings.Fields(text)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		if r.samples[name] == nil {
			r.samples[name] = map[string][]float64{}
			r.order = append(r.order, name)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return fmt.Errorf("%s:%d: value %q of %s: %w", source, line, f[i], f[i+1], err)
			}
			unit := f[i+1]
			if _, ok := r.samples[name][unit]; !ok {
				r.units[name] = append(r.units[name], unit)
			}
			r.samples[name][unit] = append(r.samples[name][unit], v)
		}
	}
	return sc.Err()
}

// median of the samples of a metric; ok is false when there are none.
func (r *results) median(name, unit string) (float64, bool) {
	return median(r.samples[name][unit])
}

func median(v []float64) (float64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}

// shown lists a benchmark's units in the table's order: rates first; the
// time per op only when there is no rate (it is its inverse), bytes per
// op only with allocations and no rate.
func (r *results) shown(name string) []string {
	units := r.units[name]
	rate := slices.ContainsFunc(units, func(u string) bool { return strings.HasSuffix(u, "/s") })
	var out []string
	for _, u := range units {
		if rate && (u == "ns/op" || u == "B/op") {
			continue
		}
		out = append(out, u)
	}
	slices.SortStableFunc(out, func(a, b string) int { return rank(a) - rank(b) })
	return out
}

func rank(unit string) int {
	switch {
	case strings.HasSuffix(unit, "/s"):
		return 0
	case unit == "ns/op":
		return 1
	case unit == "allocs/op", unit == "B/op":
		return 3
	}
	return 2
}

// writeTable writes one line per benchmark: its median metrics.
func (r *results) writeTable(w io.Writer) {
	for _, c := range r.config {
		fmt.Fprintln(w, c)
	}
	width := 0
	for _, n := range r.order {
		width = max(width, len(n))
	}
	fmt.Fprintf(w, "\n%-*s  %4s  %s\n", width, "benchmark (medians)", "runs", "metrics")
	for _, n := range r.order {
		var cells []string
		runs := 0
		for _, u := range r.shown(n) {
			m, _ := r.median(n, u)
			runs = max(runs, len(r.samples[n][u]))
			cells = append(cells, format(m)+" "+u)
		}
		fmt.Fprintf(w, "%-*s  %4d  %s\n", width, n, runs, strings.Join(cells, "  "))
	}
}

// format prints 3 significant digits, without exponent below 1e9.
func format(v float64) string {
	switch a := abs(v); {
	case a == 0:
		return "0"
	case a >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
