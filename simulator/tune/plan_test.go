package tune

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator/trace"
)

// On the threshold trace under the shipped profile (headroom 80%), one
// m5.xlarge worker leaves a steady pod serverless for six hours and two
// hold everything; an m5.2xlarge holds everything alone. With no pod
// allowed serverless for long (a serverless cap), the cheapest shape that
// meets it is the one whose VMs cost least while holding the steady pods.
func TestRunPlan(t *testing.T) {
	path := writeTrace(t, []trace.Event{
		scale(0, "default/burst", 4, template("burst")),
		scale(10, "default/steady", 2, template("steady")),
		scale(600, "default/burst", 0, nil),
		scale(6*3600, "default/steady", 2, nil),
	})
	capUSD := 0.1
	o := PlanOptions{TracePath: path, Config: shippedConfig(t), SchedulerName: "spillway", Cluster: oneWorker(t),
		InstanceTypes: []string{"m5.xlarge", "m5.2xlarge"}, Counts: []int{1, 2},
		Objectives: Objectives{MaxServerlessUSD: &capUSD},
		Prices:     cost.Default(), Backends: backends.Default(), Seed: 1}
	p, err := RunPlan(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var feasible []bool
	for _, e := range p.Shapes {
		names = append(names, e.Name)
		feasible = append(feasible, e.Feasible)
	}
	if diff := cmp.Diff([]string{"1 x m5.xlarge", "2 x m5.xlarge", "1 x m5.2xlarge", "2 x m5.2xlarge"}, names); diff != "" {
		t.Errorf("shapes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]bool{false, true, true, true}, feasible); diff != "" {
		t.Errorf("feasible (-want +got):\n%s\n%+v", diff, p.Shapes)
	}
	// 2 x m5.xlarge and 1 x m5.2xlarge cost the same per hour; the tie
	// goes to the one swept first.
	if p.Best != 1 {
		t.Errorf("best = %d (%s), want 1 (2 x m5.xlarge)", p.Best, p.Shapes[max(p.Best, 0)].Name)
	}
	rep := PlanReport(p, o, "plan", "trace", "gen")
	if len(rep.Scenarios) != 2 || !strings.HasPrefix(rep.Scenarios[0].Name, "cheapest: 2 x m5.xlarge") || !strings.HasPrefix(rep.Scenarios[1].Name, "given: 1 x m5.xlarge") {
		t.Errorf("report scenarios: %v", rep.Scenarios)
	}
	if _, err := RunPlan(context.Background(), PlanOptions{TracePath: path, Config: shippedConfig(t), SchedulerName: "spillway",
		InstanceTypes: []string{"m5.xlarge"}, Counts: []int{2, 2}, Prices: cost.Default(), Backends: backends.Default()}); err == nil || !strings.Contains(err.Error(), "counts[1]: want distinct counts") {
		t.Errorf("duplicate counts: err = %v", err)
	}
}
