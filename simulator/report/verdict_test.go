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
			[]string{"a is the cheapest scenario that runs the workload, at $10.00", "Left out because they leave pods waiting: b ($5.00, 400 pods unscheduled)."}},
		{"all leave the same unplaceable pods", []Scenario{scenario("a", 10, 1000, 7), scenario("b", 8, 1000, 7)},
			[]string{"b is the cheapest scenario at $8.00", "It leaves 7 pods unscheduled (the fewest any scenario leaves: 7)."}},
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
