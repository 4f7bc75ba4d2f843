package main

import (
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/spillway-dev/spillway/bench"
)

// writeTargets checks each target on the medians and writes one line per
// benchmark it applies to; it returns how many lines missed their target.
func writeTargets(w io.Writer, r *results, targets []bench.Target) (failed int) {
	fmt.Fprintf(w, "\ntargets\n")
	for _, t := range targets {
		lines := 0
		check := func(label string, v float64, detail string) {
			lines++
			verdict := "ok"
			if (t.Min != nil && v < *t.Min) || (t.Max != nil && v > *t.Max) {
				verdict = "MISSED"
				failed++
			}
			fmt.Fprintf(w, "  %-6s %-60s %s %s%s\n", verdict, label, format(v), bound(t), detail)
		}
		fmt.Fprintf(w, "- %s\n", t.What)
		for _, n := range r.order {
			if t.Compare != nil {
				base, ok := counterpart(n, *t.Compare)
				if !ok {
					continue
				}
				v, ok1 := r.median(n, t.Metric)
				b, ok2 := r.median(base, t.Metric)
				if !ok1 || !ok2 || b == 0 {
					continue
				}
				check(n, v/b, fmt.Sprintf("  (%s %s vs %s)", t.Metric, format(v), format(b)))
				continue
			}
			if ok, _ := path.Match(t.Benchmark, n); !ok {
				continue
			}
			if v, ok := r.median(n, t.Metric); ok {
				check(n, v, " "+t.Metric)
			}
		}
		if lines == 0 {
			fmt.Fprintf(w, "  (no results for it in this run)\n")
		}
	}
	return failed
}

// counterpart returns the name with c.Key=c.Baseline in place of
// c.Key=c.Value, if name has c.Key=c.Value as one of its parts.
func counterpart(name string, c bench.Compare) (string, bool) {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		if p == c.Key+"="+c.Value {
			parts[i] = c.Key + "=" + c.Baseline
			return strings.Join(parts, "/"), true
		}
	}
	return "", false
}

func bound(t bench.Target) string {
	switch {
	case t.Min != nil && t.Max != nil:
		return fmt.Sprintf("(want %s..%s)", format(*t.Min), format(*t.Max))
	case t.Min != nil:
		return fmt.Sprintf("(want >= %s)", format(*t.Min))
	}
	return fmt.Sprintf("(want <= %s)", format(*t.Max))
}
