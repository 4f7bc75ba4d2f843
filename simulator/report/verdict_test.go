package report

import (
	"strings"
	"testing"

	"github.com/spillway-dev/spillway/simulator"
)

func scenario(name string, usd float64, total, unscheduled int64) Scenario {
	var r simulator.Result
	r.Summary.Cost.TotalUSD = usd
	r.Summary.Pods.Total = total
	r.Summary.Pods.Unscheduled = unscheduled
	return Scenario{Name: name, Result: r}
}

// started is scenario with its pods started at a p99 start latency of p99.
func started(name string, usd float64, total, unscheduled int64, p99 float64) Scenario {
	s := scenario(name, usd, total, unscheduled)
	s.Result.Summary.Pods.Dedicated = total - unscheduled
	s.Result.Summary.StartLatency.P99 = p99
	return s
}

// Issue 14, finding 2: a scenario that misses an objective is never "the
// cheapest", the verdict says which objective it missed, and the
// unscheduled sentence never contradicts itself.
func TestVerdictObjectives(t *testing.T) {
	def := DefaultObjectives()
	abs := Objectives{P99StartLatencyS: 60, MaxUnscheduled: 10}
	tests := []struct {
		name      string
		obj       *Objectives
		scenarios []Scenario
		want      []string
		not       []string
	}{
		{"pods wait hours: the cheap one misses the p99 objective", &def,
			[]Scenario{started("spillway", 14.67, 1000, 0, 82), started("no-virtual", 14.25, 1000, 0, 23593)},
			[]string{"spillway is the cheapest scenario that meets the objectives (p99 start latency at most 300.0 s and no more pods unscheduled than the fewest any scenario leaves plus 1% of the pods), at $14.67",
				"Left out for missing an objective: no-virtual ($14.25: p99 start latency 23593.0 s > 300.0 s)."},
			[]string{"no-virtual is the cheapest"}},
		{"an absolute unscheduled cap", &abs,
			[]Scenario{started("a", 10, 1000, 11, 5), started("b", 12, 1000, 10, 5)},
			[]string{"b is the cheapest scenario that meets the objectives (p99 start latency at most 60.0 s and at most 10 pods unscheduled), at $12.00",
				"a ($10.00: 11 pods unscheduled > 10)"}, nil},
		{"both objectives missed are both named", &abs,
			[]Scenario{started("a", 10, 1000, 50, 90), started("b", 12, 1000, 0, 5)},
			[]string{"a ($10.00: p99 start latency 90.0 s > 60.0 s, 50 pods unscheduled > 10)"}, nil},
		{"none meets them: nothing is called the cheapest", &abs,
			[]Scenario{started("a", 10, 1000, 50, 5), started("b", 12, 1000, 0, 90)},
			[]string{"No scenario meets the objectives (p99 start latency at most 60.0 s and at most 10 pods unscheduled). The least costly, a at $10.00, misses 50 pods unscheduled > 10.",
				"Each scenario and what it misses: a ($10.00: 50 pods unscheduled > 10) and b ($12.00: p99 start latency 90.0 s > 60.0 s)."},
			[]string{"is the cheapest"}},
		{"one scenario that misses", &abs,
			[]Scenario{started("a", 10, 1000, 0, 90)},
			[]string{"No scenario meets the objectives", "The least costly, a at $10.00, misses p99 start latency 90.0 s > 60.0 s."},
			[]string{"Each scenario"}},
		{"no pod started misses a latency objective", &abs,
			[]Scenario{scenario("idle", 1, 100, 0), started("b", 12, 100, 0, 5)},
			[]string{"idle ($1.00: no pod started)", "b is the cheapest scenario that meets"}, nil},
		// The old verdict said "It leaves 91 pods unscheduled (the fewest
		// any scenario leaves: 72)".
		{"the chosen one leaves more than the fewest: no contradiction", &def,
			[]Scenario{started("spillway", 35.74, 11674, 72, 59.2), started("serverless-only", 35.53, 11674, 91, 59.7)},
			[]string{"serverless-only is the cheapest scenario at $35.53", "It leaves 91 pods unscheduled; spillway leaves the fewest, 72."},
			[]string{"the fewest any scenario leaves: 72"}},
		{"the chosen one leaves the fewest", &def,
			[]Scenario{started("a", 10, 1000, 7, 5), started("b", 12, 1000, 9, 5)},
			[]string{"It leaves 7 pods unscheduled, as few as any scenario."}, nil},
		{"nil objectives: no latency objective", nil,
			[]Scenario{started("a", 10, 1000, 0, 23593), started("b", 12, 1000, 0, 5)},
			[]string{"a is the cheapest scenario at $10.00"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Verdict(Report{Scenarios: tt.scenarios, Objectives: tt.obj})
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("verdict %q\nlacks %q", got, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got, w) {
					t.Errorf("verdict %q\nsays %q", got, w)
				}
			}
		})
	}
}

// A scenario that is cheap because it leaves the workload waiting does not
// win the verdict.
func TestVerdictLeavesOutScenariosThatStarve(t *testing.T) {
	tests := []struct {
		name      string
		scenarios []Scenario
		want      []string
	}{
		{"cheapest serves", []Scenario{scenario("a", 10, 1000, 0), scenario("b", 20, 1000, 5)},
			[]string{"a is the cheapest scenario at $10.00", "saves $10.00 (50.0%) vs b"}},
		{"cheapest starves", []Scenario{scenario("a", 10, 1000, 0), scenario("b", 5, 1000, 400)},
			[]string{"a is the cheapest scenario that meets the objectives (", "), at $10.00", "Left out for missing an objective: b ($5.00: 400 pods unscheduled > 10)."}},
		{"all leave the same unplaceable pods", []Scenario{scenario("a", 10, 1000, 7), scenario("b", 8, 1000, 7)},
			[]string{"b is the cheapest scenario at $8.00", "It leaves 7 pods unscheduled, as few as any scenario."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Verdict(Report{Scenarios: tt.scenarios})
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("verdict %q\nlacks %q", got, w)
				}
			}
		})
	}
}

// Thinning a long series keeps its peaks.
func TestThinnedSeriesKeepsPeaks(t *testing.T) {
	var r simulator.Result
	for i := 0; i < 20000; i++ {
		s := simulator.Sample{Minute: i + 1, End: float64(60 * (i + 1)), Seconds: 60, PodsServerless: []int{1}}
		if i == 12345 {
			s.PodsServerless[0] = 99
		}
		r.Series = append(r.Series, s)
	}
	cd := timeChart(Report{Scenarios: []Scenario{{Name: "a", Result: r}}}, "c", "c", "pods",
		func(s simulator.Sample) float64 { return float64(s.PodsServerless[0]) }, 0)
	peak := 0.0
	for _, y := range cd.lines[0].ys {
		peak = max(peak, y)
	}
	if peak != 99 || len(cd.lines[0].ys) > maxPoints {
		t.Errorf("%d points with peak %v, want at most %d points and the peak 99", len(cd.lines[0].ys), peak, maxPoints)
	}
}

// The verdict measures the chosen scenario against min(bound,
// serverless-only), and says which one that is.
func TestVerdictBound(t *testing.T) {
	bound := &Bound{TotalUSD: 8}
	tests := []struct {
		name      string
		scenarios []Scenario
		bound     *Bound
		want      string
	}{
		{"no bound: no sentence", []Scenario{scenario("a", 10, 100, 0), scenario("serverless-only", 12, 100, 0)}, nil, ""},
		{"the bound is lower", []Scenario{scenario("a", 10, 100, 0), scenario("serverless-only", 12, 100, 0)}, bound,
			" It costs 1.250× the fluid-oracle lower bound ($8.00), the least any schedule could pay on this cluster."},
		{"serverless-only is lower and wins", []Scenario{scenario("a", 10, 100, 0), scenario("serverless-only", 7, 100, 0)}, bound,
			" It costs less than the fluid-oracle bound of the cluster with its workers ($8.00): at these prices the workers cannot pay for themselves, even perfectly packed."},
		{"serverless-only is lower but starves", []Scenario{scenario("a", 10, 100, 0), scenario("serverless-only", 7, 100, 50)}, bound,
			" It costs 1.429× serverless-only ($7.00), which costs less than the fluid-oracle bound of the cluster with its workers ($8.00)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Report{Scenarios: tt.scenarios, Bound: tt.bound}
			got := Verdict(r)
			if tt.want == "" {
				if strings.Contains(got, "bound") {
					t.Errorf("verdict %q mentions a bound", got)
				}
				return
			}
			if !strings.HasSuffix(got, tt.want) {
				t.Errorf("verdict %q\ndoes not end with %q", got, tt.want)
			}
		})
	}
}

// Without a bound there is no "vs bound" column, row or JSON field; with
// one, every output has them.
func TestBoundShownOnlyWhenSet(t *testing.T) {
	r := sampleReport()
	for _, withBound := range []bool{false, true} {
		if !withBound {
			r.Bound = nil
		} else {
			r.Bound = &Bound{TotalUSD: 2.7}
		}
		for _, tc := range writers {
			got := render(t, tc.f, r)
			for _, s := range []string{"vs bound", BoundName, "vs_bound"} {
				if tc.name == "summary.json" && s == "vs bound" || tc.name != "summary.json" && s == "vs_bound" {
					continue
				}
				if strings.Contains(got, s) != withBound {
					t.Errorf("bound %v: %s contains %q: %v", withBound, tc.name, s, !withBound)
				}
			}
		}
	}
}
