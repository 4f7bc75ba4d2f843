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
