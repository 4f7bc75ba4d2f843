package report

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/spillway-dev/spillway/simulator"
)

// Issue 14, finding 7: the charts answer the planner's question.

// A day of data ends the time axes at 24 h, not at the next round tick
// (25 h before).
func TestTimeAxesEndWithTheData(t *testing.T) {
	r := Report{Scenarios: []Scenario{{Name: "a", Result: simulator.Result{Series: flat(24*60, 0.5, 1)}},
		{Name: "b", Result: simulator.Result{Series: flat(24*60, 0.4, 2)}}}}
	for _, cd := range []chartData{costChart(r), cpuChart(r), concChart(r), costDiffChart(r)} {
		if cd.x.max != 24 || cd.x.ticks[len(cd.x.ticks)-1].Value > 24 {
			t.Errorf("%s: x axis to %v, last tick %v; want both at most 24", cd.id, cd.x.max, cd.x.ticks[len(cd.x.ticks)-1].Value)
		}
	}
}

// The CDF is over all pods: a scenario that leaves 10% of its pods
// unscheduled ends at 0.9, and its summary says how many never started
// (no-virtual read "96% within 1 s" while 10,235 pods waited forever).
func TestLatencyCDFCountsNeverStarted(t *testing.T) {
	s := Scenario{Name: "no-virtual", Result: result(1, 1, 0, [3]int64{900, 0, 100}, simulator.LatencySummary{}, flat(10, 0.5, 0), quantiles(0.01, 0))}
	cd := latencyChart(Report{Scenarios: []Scenario{s}})
	ys := cd.lines[0].ys
	if got := ys[len(ys)-1]; math.Abs(got-0.9) > 1e-12 {
		t.Errorf("the CDF ends at %v, want 0.9", got)
	}
	if !strings.Contains(cd.omitted[0], "100 never started") {
		t.Errorf("legend note %q does not say 100 never started", cd.omitted[0])
	}
	text := latencyText(s)
	for _, w := range []string{"90.0% of all pods within 1 s", "100 pods (10.0%) never started, beyond every bound"} {
		if !strings.Contains(text, w) {
			t.Errorf("%q lacks %q", text, w)
		}
	}
}

// The cost difference is each scenario's cumulative cost minus the first
// one's, minute by minute; a longer series is compared with the first's
// final total.
func TestCostDiffChart(t *testing.T) {
	a := series(3, func(int) (float64, float64, float64, []int) { return 60, 0, 0, nil })  // $1 a minute
	b := series(4, func(int) (float64, float64, float64, []int) { return 120, 0, 0, nil }) // $2 a minute
	r := Report{Scenarios: []Scenario{{Name: "a", Result: simulator.Result{Series: a}}, {Name: "b", Result: simulator.Result{Series: b}}}}
	r.Scenarios[0].Result.Summary.Cost.TotalUSD, r.Scenarios[1].Result.Summary.Cost.TotalUSD = 3, 8
	cd := costDiffChart(r)
	if len(cd.lines) != 1 || cd.lines[0].scenario != 1 {
		t.Fatalf("lines %+v, want b's alone", cd.lines)
	}
	if diff := cmp.Diff([]float64{1, 2, 3, 5}, cd.lines[0].ys, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("b - a (-want +got):\n%s", diff)
	}
	if got := costDiffText(r)(r.Scenarios[1]); got != "$5.00 more than a in the end" {
		t.Errorf("text %q", got)
	}
}

// The utilisation chart is a trailing time-weighted mean, its window
// stated in its title.
func TestTrailingMean(t *testing.T) {
	s := flat(6, 0, 0)
	for i, v := range []float64{0, 1, 0, 1, 1, 1} {
		s[i].VMCPUUtil = v
	}
	got := trailingMean(s, 2, func(x simulator.Sample) float64 { return x.VMCPUUtil })
	if diff := cmp.Diff([]float64{0, 0.5, 0.5, 0.5, 1, 1}, got); diff != "" {
		t.Errorf("2-minute trailing mean (-want +got):\n%s", diff)
	}
	day := Report{Scenarios: []Scenario{{Name: "a", Result: simulator.Result{Series: flat(24*60, 0.5, 0)}}}}
	if w, title := smoothWindow(day), cpuChart(day).title; w != 30 || !strings.Contains(title, "30-minute trailing mean") {
		t.Errorf("a day: window %d, title %q; want 30 minutes, stated", w, title)
	}
}
