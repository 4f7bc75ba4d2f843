// Package report renders the Results of a what-if run (one trace simulated
// under several named scenarios) as a Markdown report, a self-contained
// HTML report with inline SVG charts, and a plain-text comparison table.
//
// Output is deterministic: the same Report renders to byte-identical
// output. Nothing in the package reads the clock; Report.Generated is set
// by the caller.
package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spillway-dev/spillway/simulator"
)

// Scenario is one named what-if scenario and what its run measured.
type Scenario struct {
	Name        string
	Description string
	Result      simulator.Result
}

// Report is everything a report shows.
type Report struct {
	// Title heads the report, e.g. "Spillway what-if: azure-functions-2019
	// day 1 (100 functions)".
	Title string
	// Trace describes the trace, e.g. its file name.
	Trace string
	// Generated is shown as is (a timestamp, a version); set by the caller.
	Generated string
	// Scenarios are shown in this order; the first is the baseline of the
	// "vs first" column.
	Scenarios []Scenario
	// Notes are free text lines shown under the table.
	Notes []string
	// Sections are shown after the comparison, before the charts.
	Sections []Section
	// Objectives, when set, are what a scenario must meet to be called the
	// cheapest; nil: only the default unscheduled rule (see Objectives).
	Objectives *Objectives
	// Bound, when set, is the fluid-oracle lower bound: shown as its own
	// row, and each scenario's ratio to min(bound, serverless-only) as
	// the "vs bound" column.
	Bound *Bound
}

// ErrNoScenarios is returned when a Report has no scenarios.
var ErrNoScenarios = errors.New("report: no scenarios")

// WriteFiles writes report.md, summary.json and report.html into dir,
// creating it if needed.
func WriteFiles(dir string, r Report) error {
	if len(r.Scenarios) == 0 {
		return ErrNoScenarios
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	write := func(name string, render func(io.Writer, Report) error) error {
		var b strings.Builder
		if err := render(&b, r); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644)
	}
	if err := write("report.md", WriteMarkdown); err != nil {
		return err
	}
	if err := write("summary.json", WriteSummary); err != nil {
		return err
	}
	return write("report.html", WriteHTML)
}

// ComparisonTable writes the comparison table as aligned plain text, for a
// terminal.
func ComparisonTable(w io.Writer, r Report) error {
	if len(r.Scenarios) == 0 {
		return ErrNoScenarios
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head, rows := tableWithBound(r)
	all := append([][]string{head}, rows...)
	// Left-align the names in the right-aligned table by padding them.
	width := 0
	for _, row := range all {
		row[0] = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(row[0])
		width = max(width, utf8.RuneCountInString(row[0]))
	}
	for _, row := range all {
		row[0] += strings.Repeat(" ", width-utf8.RuneCountInString(row[0]))
	}
	for _, row := range all {
		// A trailing tab ends the last cell so that it is aligned too.
		if _, err := fmt.Fprint(tw, strings.Join(row, "\t")+"\t\n"); err != nil {
			return err
		}
	}
	return tw.Flush()
}

// stats are the derived numbers of one scenario.
type stats struct {
	started    bool    // some pod started
	meanCPU    float64 // time-weighted mean VM CPU utilisation, 0..1
	hasCPU     bool
	peakCPU    float64
	peakCPUAt  float64 // seconds from start
	peakConc   int     // max over Series of sum(PodsServerless)
	peakConcAt float64
	hasSeries  bool
	endS       float64 // End of the last sample
	finalUSD   float64
}

func computeStats(s Scenario) stats {
	res := s.Result
	st := stats{
		started: res.Summary.Pods.Dedicated+res.Summary.Pods.Serverless > 0 ||
			len(res.LatencyQuantiles) > 0,
		hasSeries: len(res.Series) > 0,
	}
	var weighted, secs float64
	for i, x := range res.Series {
		weighted += x.VMCPUUtil * x.Seconds
		secs += x.Seconds
		if c := concurrency(x); c > st.peakConc {
			st.peakConc, st.peakConcAt = c, x.End
		}
		if i == 0 || x.VMCPUUtil > st.peakCPU {
			st.peakCPU, st.peakCPUAt = x.VMCPUUtil, x.End
		}
		st.endS, st.finalUSD = x.End, x.CumulativeUSD
	}
	if secs > 0 {
		st.meanCPU, st.hasCPU = weighted/secs, true
	}
	return st
}

func concurrency(x simulator.Sample) int {
	n := 0
	for _, c := range x.PodsServerless {
		n += c
	}
	return n
}

// table returns the comparison table's header and rows, formatted.
func table(r Report) ([]string, [][]string) {
	head := []string{"Scenario", "Total $", "VMs $", "Serverless $", "vs first"}
	ref, _, hasBound := reference(r)
	if hasBound {
		head = append(head, "vs bound")
	}
	head = append(head, "Pods on VMs", "Pods serverless", "Unscheduled",
		"p50 s", "p95 s", "p99 s", "max s", "VM CPU mean", "Peak serverless")
	var rows [][]string
	base := r.Scenarios[0].Result.Summary.Cost.TotalUSD
	for i, s := range r.Scenarios {
		sum := s.Result.Summary
		st := computeStats(s)
		vs := "baseline"
		if i > 0 {
			vs = pctChange(sum.Cost.TotalUSD, base)
		}
		lat := func(v float64) string {
			if !st.started {
				return "n/a"
			}
			return fmtSec(v)
		}
		cpu := "n/a"
		if st.hasCPU {
			cpu = fmtPct(st.meanCPU * 100)
		}
		peak := "n/a"
		if st.hasSeries {
			peak = fmtInt(int64(st.peakConc))
		}
		row := []string{s.Name, fmtUSD(sum.Cost.TotalUSD), fmtUSD(sum.Cost.DedicatedUSD),
			fmtUSD(sum.Cost.ServerlessUSD), vs}
		if hasBound {
			row = append(row, vsBound(sum.Cost.TotalUSD, ref))
		}
		rows = append(rows, append(row,
			fmtInt(sum.Pods.Dedicated), fmtInt(sum.Pods.Serverless), fmtInt(sum.Pods.Unscheduled),
			lat(sum.StartLatency.P50), lat(sum.StartLatency.P95),
			lat(sum.StartLatency.P99), lat(sum.StartLatency.Max), cpu, peak,
		))
	}
	return head, rows
}

// tableWithBound is table with the bound's row last, when there is one.
func tableWithBound(r Report) ([]string, [][]string) {
	head, rows := table(r)
	if r.Bound != nil {
		rows = append(rows, boundRow(r, head))
	}
	return head, rows
}

func p99Text(s Scenario) string {
	if !computeStats(s).started {
		return "no pods started"
	}
	return fmtSec(s.Result.Summary.StartLatency.P99) + " s"
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
