package report

import (
	"encoding/json"
	"io"
	"math"

	"github.com/spillway-dev/spillway/simulator"
)

// SummaryJSON is the what-if run's summary.json: the verdict, the bound
// and each scenario's totals and ratio to the bound's reference, in the
// report's order. Per-scenario details are in each scenario's own
// summary.json.
type SummaryJSON struct {
	Title     string `json:"title,omitempty"`
	Trace     string `json:"trace,omitempty"`
	Generated string `json:"generated,omitempty"`
	Verdict   string `json:"verdict"`
	// Objectives are what the verdict holds the scenarios to.
	Objectives Objectives `json:"objectives"`
	// Bound is the fluid-oracle lower bound; absent when not computed.
	Bound *Bound `json:"bound,omitempty"`
	// Reference is min(bound, serverless-only), what vs_bound divides by.
	Reference *SummaryReference `json:"reference,omitempty"`
	Scenarios []SummaryScenario `json:"scenarios"`
}

// SummaryReference names the reference of the vs_bound ratios.
type SummaryReference struct {
	Name     string  `json:"name"`
	TotalUSD float64 `json:"total_usd"`
}

// SummaryScenario is one scenario's line of SummaryJSON.
type SummaryScenario struct {
	Name string `json:"name"`
	// VsBound is TotalUSD / Reference.TotalUSD; absent without a bound.
	VsBound      *float64                 `json:"vs_bound,omitempty"`
	Cost         simulator.CostSummary    `json:"cost"`
	Pods         simulator.PodSummary     `json:"pods"`
	StartLatency simulator.LatencySummary `json:"start_latency_s"`
	// Missed lists the objectives the scenario misses; empty: it meets
	// them.
	Missed []string `json:"missed"`
}

// Summary builds the report's SummaryJSON.
func Summary(r Report) SummaryJSON {
	obj := r.objectives()
	out := SummaryJSON{Title: r.Title, Trace: r.Trace, Generated: r.Generated, Verdict: Verdict(r), Objectives: obj, Bound: r.Bound,
		Scenarios: []SummaryScenario{}}
	minUnsched := int64(math.MaxInt64)
	for _, s := range r.Scenarios {
		minUnsched = min(minUnsched, s.Result.Summary.Pods.Unscheduled)
	}
	ref, name, ok := reference(r)
	if ok {
		out.Reference = &SummaryReference{Name: name, TotalUSD: ref}
	}
	for _, s := range r.Scenarios {
		sum := s.Result.Summary
		line := SummaryScenario{Name: s.Name, Cost: sum.Cost, Pods: sum.Pods, StartLatency: sum.StartLatency, Missed: obj.misses(s, minUnsched)}
		if line.Missed == nil {
			line.Missed = []string{}
		}
		if ok && ref > 0 {
			v := sum.Cost.TotalUSD / ref
			line.VsBound = &v
		}
		out.Scenarios = append(out.Scenarios, line)
	}
	return out
}

// WriteSummary writes the report's summary.json, indented.
func WriteSummary(w io.Writer, r Report) error {
	if len(r.Scenarios) == 0 {
		return ErrNoScenarios
	}
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(Summary(r))
}
