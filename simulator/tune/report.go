package tune

import (
	"fmt"
	"strings"

	"github.com/spillway-dev/spillway/simulator/report"
)

// Report is the run's what-if style report: the tuned configuration and
// the references on the held-out part (with the what-if charts), then the
// comparison on each part of the trace, the Pareto front and the search.
func Report(res *Result, title, trace, generated string) report.Report {
	part := "the held-out part"
	if res.TrainS >= res.SpanS {
		part = "the whole trace"
	}
	r := report.Report{Title: title, Trace: trace, Generated: generated, Scenarios: res.Scenarios}
	r.Notes = append(r.Notes,
		fmt.Sprintf("The comparison above and the charts are on %s (%s).", part, spanText(res)),
		"Objectives: "+objectivesText(res.Spec.Objectives)+".",
		"Best configuration: "+Describe(res.Best)+".")
	if len(res.Best.Violations) > 0 {
		r.Notes = append(r.Notes, "No candidate met every objective on the training span; the best misses by: "+strings.Join(res.Best.Violations, ", ")+".")
	}
	cmp := report.Section{ID: "parts", Title: "Training, held-out and whole trace",
		Text: "The search saw only the training span; the held-out part checks that the result was not overfitted to it.",
		Head: []string{"Part", "Configuration", "Total $", "VMs $", "Serverless $", "p50 s", "p99 s", "max s", "Unscheduled", "Meets objectives"}}
	for _, e := range res.Compare {
		m := e.Metrics
		meets := "yes"
		if !e.Feasible {
			meets = "no: " + strings.Join(e.Violations, ", ")
		}
		cmp.Rows = append(cmp.Rows, []string{e.Stage, e.Name, usd(m.TotalUSD), usd(m.DedicatedUSD), usd(m.ServerlessUSD),
			sec(m.P50S), sec(m.P99S), sec(m.MaxS), fmt.Sprint(m.Unscheduled), meets})
	}
	front := report.Section{ID: "pareto", Title: "Pareto front: cost against p99 start latency",
		Text:  fmt.Sprintf("Every candidate run on the whole training span (%s), and those no other one beats on both cost and p99 start latency.", spanText(res)),
		Head:  append([]string{"Candidate", "Total $", "p99 s", "Meets objectives"}, res.Params...),
		Chart: &report.Scatter{XName: "total cost (USD)", YName: "p99 start latency (s)"}}
	var all, fr report.ScatterSeries
	all.Name, all.Colour = "candidates", 9
	fr.Name, fr.Colour, fr.Line = "Pareto front", 0, true
	for _, e := range res.Evaluations {
		if (e.Stage == StageFull || e.Stage == StageRefine || (e.Stage == StageSample && res.Rung0S == res.TrainS)) && e.ID >= 0 {
			all.Xs, all.Ys = append(all.Xs, e.Metrics.TotalUSD), append(all.Ys, e.Metrics.P99S)
		}
	}
	for _, e := range res.Pareto {
		fr.Xs, fr.Ys = append(fr.Xs, e.Metrics.TotalUSD), append(fr.Ys, e.Metrics.P99S)
		row := []string{e.Name, usd(e.Metrics.TotalUSD), sec(e.Metrics.P99S), yesNo(e.Feasible)}
		for _, p := range res.Params {
			row = append(row, e.Params[p])
		}
		front.Rows = append(front.Rows, row)
	}
	front.Chart.Series = []report.ScatterSeries{all, fr}
	stages := map[string]int{}
	for _, e := range res.Evaluations {
		stages[e.Stage]++
	}
	search := report.Section{ID: "search", Title: "Search",
		Text: fmt.Sprintf("Seed %d. %d Latin-hypercube samples on the first %s of the trace; the best %.0f%% of them on the training span (%s); %d rounds of local refinement around the best; then the comparison runs.",
			res.Seed, stages[StageSample], clock(res.Rung0S), 100*res.Spec.Search.Keep, clock(res.TrainS), max(res.Spec.Search.RefineRounds, 0)),
		Head: []string{"Stage", "Runs"}}
	for _, s := range []string{StageSample, StageFull, StageRefine, StageTraining, StageHoldout, StageTrace} {
		if n := stages[s]; n > 0 {
			search.Rows = append(search.Rows, []string{s, fmt.Sprint(n)})
		}
	}
	r.Sections = []report.Section{cmp, front, search}
	return r
}

func spanText(res *Result) string {
	if res.TrainS >= res.SpanS {
		return "training on all of " + clock(res.SpanS)
	}
	return fmt.Sprintf("training on 0:00-%s, held out %s-%s", clock(res.TrainS), clock(res.TrainS), clock(res.SpanS))
}

func objectivesText(o Objectives) string {
	var parts []string
	if o.P99StartLatency != nil {
		parts = append(parts, "p99 start latency <= "+o.P99StartLatency.String())
	}
	if o.MaxPending != nil {
		parts = append(parts, "max start latency <= "+o.MaxPending.String())
	}
	if o.MaxServerlessUSD != nil {
		parts = append(parts, "serverless cost <= "+usd(*o.MaxServerlessUSD))
	}
	if o.MaxServerlessShare != nil {
		parts = append(parts, fmt.Sprintf("serverless share <= %.0f%%", 100**o.MaxServerlessShare))
	}
	if o.MaxUnscheduled != nil {
		parts = append(parts, fmt.Sprintf("unscheduled pods <= %d", *o.MaxUnscheduled))
	}
	if len(parts) == 0 {
		return "none (the cheapest configuration wins)"
	}
	return strings.Join(parts, ", ")
}

func usd(v float64) string { return fmt.Sprintf("$%.2f", v) }
func sec(v float64) string { return fmt.Sprintf("%.1f", v) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// clock formats seconds as h:mm.
func clock(s float64) string {
	m := int64(s/60 + 0.5)
	return fmt.Sprintf("%d:%02d", m/60, m%60)
}
