package tune

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/spillway-dev/spillway/simulator"
	"github.com/spillway-dev/spillway/simulator/report"
	"github.com/spillway-dev/spillway/simulator/whatif"
)

// Stages of the search, as in results.jsonl.
const (
	StageSample   = "sample"   // a Latin-hypercube sample on the first rung
	StageFull     = "full"     // a survivor of the first rung on the whole training span
	StageRefine   = "refine"   // a neighbour of the best, on the whole training span
	StageNeutral  = "neutral"  // the neutral corner (Spillway's score plugins off), on the whole training span
	StageHoldout  = "holdout"  // the best and the references on the held-out part
	StageTrace    = "trace"    // the best and the references on the whole trace
	StageTraining = "training" // the references on the training span
)

// Metrics are what one run of a candidate measured.
type Metrics struct {
	TotalUSD      float64 `json:"total_usd"`
	DedicatedUSD  float64 `json:"dedicated_usd"`
	ServerlessUSD float64 `json:"serverless_usd"`
	P50S          float64 `json:"p50_s"`
	P99S          float64 `json:"p99_s"`
	MaxS          float64 `json:"max_s"`
	Pods          int64   `json:"pods"`
	Serverless    int64   `json:"pods_serverless"`
	Unscheduled   int64   `json:"unscheduled"`
	SimulatedS    float64 `json:"simulated_s"`
	// VMCPUMean is the time-weighted mean VM CPU utilisation (requested /
	// allocatable of the workers), 0..1.
	VMCPUMean float64 `json:"vm_cpu_mean"`
}

// Evaluation is one candidate run on one part of the trace: a line of
// results.jsonl.
type Evaluation struct {
	// ID numbers the candidates of the search; the references are "spillway"
	// (the user's profile as configured), "vm-first" and "default-burst".
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Stage string `json:"stage"`
	// Point holds the searched values in the space's order (seconds for
	// durations, an index for instance types); Params shows them.
	Point      []float64         `json:"point,omitempty"`
	Params     map[string]string `json:"params,omitempty"`
	UntilS     float64           `json:"until_s"`
	Metrics    Metrics           `json:"metrics"`
	Feasible   bool              `json:"feasible"`
	Violation  float64           `json:"violation"`
	Violations []string          `json:"violations,omitempty"`
}

// job is a run to make: a scenario and how to label its evaluation.
type job struct {
	eval     Evaluation
	scenario whatif.Scenario
}

// evaluate runs the jobs on the trace at path up to until (0: all of it)
// on parallel workers and returns their evaluations, and the full results,
// in the jobs' order.
func (r *runner) evaluate(ctx context.Context, path string, until float64, jobs []job) ([]Evaluation, []report.Scenario, error) {
	if len(jobs) == 0 {
		return nil, nil, nil
	}
	scen := make([]whatif.Scenario, len(jobs))
	for i, j := range jobs {
		scen[i] = j.scenario
		scen[i].Name = fmt.Sprintf("%d:%s", i, j.eval.Name)
	}
	res, err := whatif.Run(ctx, whatif.Options{
		TracePath: path, Scenarios: scen, Seed: r.o.Seed, Until: until,
		Prices: r.o.Prices, Backends: r.o.Backends, Parallel: r.o.Parallel,
		Done: func(string, *simulator.Result) { r.tick() },
	})
	if err != nil {
		return nil, nil, err
	}
	out := make([]Evaluation, len(jobs))
	for i, j := range jobs {
		e := j.eval
		e.UntilS = until
		e.Metrics = metricsOf(&res[i].Result)
		e.Feasible, e.Violation, e.Violations = r.o.Spec.Objectives.check(e.Metrics)
		out[i] = e
		res[i].Name = j.eval.Name
		res[i].Result.Summary.Scenario = j.eval.Name
	}
	return out, res, nil
}

func metricsOf(res *simulator.Result) Metrics {
	s := res.Summary
	return Metrics{
		TotalUSD: s.Cost.TotalUSD, DedicatedUSD: s.Cost.DedicatedUSD, ServerlessUSD: s.Cost.ServerlessUSD,
		P50S: s.StartLatency.P50, P99S: s.StartLatency.P99, MaxS: s.StartLatency.Max,
		Pods: s.Pods.Total, Serverless: s.Pods.Serverless, Unscheduled: s.Pods.Unscheduled,
		SimulatedS: s.Sim.SimulatedS, VMCPUMean: vmCPUMean(res),
	}
}

// check says whether m meets the objectives, by how much it misses them
// (the sum of the relative excesses) and how.
func (o Objectives) check(m Metrics) (bool, float64, []string) {
	var total float64
	var why []string
	miss := func(name string, got, limit float64, unit string) {
		if got <= limit {
			return
		}
		total += (got - limit) / math.Max(limit, 1e-9)
		why = append(why, fmt.Sprintf("%s %s%s > %s%s", name, trimNum(got), unit, trimNum(limit), unit))
	}
	if o.P99StartLatency != nil {
		miss("p99 start latency", m.P99S, o.P99StartLatency.Seconds(), " s")
	}
	if o.MaxPending != nil {
		miss("max start latency", m.MaxS, o.MaxPending.Seconds(), " s")
	}
	if o.MaxServerlessUSD != nil {
		miss("serverless cost", m.ServerlessUSD, *o.MaxServerlessUSD, " USD")
	}
	if o.MaxServerlessShare != nil && m.TotalUSD > 0 {
		miss("serverless share", m.ServerlessUSD/m.TotalUSD, *o.MaxServerlessShare, "")
	}
	if o.MaxUnscheduled != nil {
		miss("unscheduled pods", float64(m.Unscheduled), float64(*o.MaxUnscheduled), "")
	}
	return len(why) == 0, total, why
}

func trimNum(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	return strings.TrimRight(strings.TrimRight(s, "0"), ".")
}

// better orders evaluations: the ones that meet the objectives first, by
// cost, then p99 start latency; the others by how much they miss, then
// cost. Ties go to the lower ID, so the order is total and deterministic.
func better(a, b *Evaluation) bool {
	if a.Feasible != b.Feasible {
		return a.Feasible
	}
	if !a.Feasible && a.Violation != b.Violation {
		return a.Violation < b.Violation
	}
	if a.Metrics.TotalUSD != b.Metrics.TotalUSD {
		return a.Metrics.TotalUSD < b.Metrics.TotalUSD
	}
	if a.Metrics.P99S != b.Metrics.P99S {
		return a.Metrics.P99S < b.Metrics.P99S
	}
	return a.ID < b.ID
}

// pareto returns the evaluations no other one beats on both total cost and
// p99 start latency, by increasing cost; duplicates of a point are kept
// once (the lowest ID).
func pareto(evals []Evaluation) []Evaluation {
	var front []Evaluation
	for i, a := range evals {
		dominated := false
		for j, b := range evals {
			if i == j {
				continue
			}
			le := b.Metrics.TotalUSD <= a.Metrics.TotalUSD && b.Metrics.P99S <= a.Metrics.P99S
			lt := b.Metrics.TotalUSD < a.Metrics.TotalUSD || b.Metrics.P99S < a.Metrics.P99S
			if le && (lt || b.ID < a.ID) {
				dominated = true
				break
			}
		}
		if !dominated {
			front = append(front, a)
		}
	}
	sortEvals(front, func(a, b *Evaluation) bool {
		if a.Metrics.TotalUSD != b.Metrics.TotalUSD {
			return a.Metrics.TotalUSD < b.Metrics.TotalUSD
		}
		return a.ID < b.ID
	})
	return front
}
