package tune

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	spcfg "github.com/spillway-dev/spillway/plugins/apis/config"
	"github.com/spillway-dev/spillway/simulator/inprocess"
	"github.com/spillway-dev/spillway/simulator/report"
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
		Prices:     cost.Default(), Backends: backends.Default(), Seed: 1, OnePricing: true}
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

// A quota of one core holds the serverless burst back: the simulator and
// the plugins both see it.
func TestRunPlanQuotas(t *testing.T) {
	path := writeTrace(t, []trace.Event{
		scale(0, "default/burst", 6, template("burst")),
		scale(600, "default/burst", 0, nil),
	})
	o := PlanOptions{TracePath: path, Config: shippedConfig(t), SchedulerName: "spillway", Cluster: oneWorker(t),
		InstanceTypes: []string{"m5.xlarge"}, Counts: []int{1}, Quotas: []int{0, 1},
		Prices: cost.Default(), Backends: backends.Default(), Seed: 1, OnePricing: true}
	p, err := RunPlan(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Shapes) != 2 || p.Shapes[1].Name != "1 x m5.xlarge, quota 1" || p.Shapes[1].Params[ParamBackendQuota] != "1" {
		t.Fatalf("shapes: %+v", p.Shapes)
	}
	free, tight := p.Shapes[0].Metrics, p.Shapes[1].Metrics
	// Four burst pods fill the VM, so two go serverless with the
	// catalog's 100 cores and one with a quota of 1.
	if free.Serverless != 2 || tight.Serverless != 1 {
		t.Errorf("serverless pods: %d with the catalog's quota, %d with 1 core; want 2 and 1", free.Serverless, tight.Serverless)
	}

	// The plugins read the quota from the catalog file the profile names.
	ro := Options{Spec: &Spec{SchedulerName: "spillway"}, Config: shippedConfig(t), Backends: backends.Default()}
	cleanup, err := withQuota(&ro, 7)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	prof, err := inprocess.Profile(ro.Config, "spillway")
	if err != nil {
		t.Fatal(err)
	}
	a, err := pluginArgs[*spcfg.ServerlessFitArgs](prof, "ServerlessFit")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := backends.LoadFile(a.BackendCatalogFile)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := cat.Backend("aci"); b == nil || b.Limits.QuotaCPU.Value() != 7 {
		t.Errorf("the plugins' catalog has aci %+v, want a quota of 7", b)
	}
	if b, _ := ro.Backends.Backend("aci"); b.Limits.QuotaCPU.Value() != 7 {
		t.Errorf("the simulator's catalog has aci quota %v, want 7", b.Limits.QuotaCPU)
	}
}

// Issue 14, finding 3: plan weighs serverless-only (0 workers) and the
// catalog's VM pricing options, shows each shape's VM utilisation and the
// break-even utilisation, and recommends the cheapest shape that meets the
// objectives, whatever it is. One pod for an hour, a quarter of an
// m5.xlarge: serverless only is cheaper than the worker even at Spot
// prices; Reserved and Spot reprice the same run.
func TestRunPlanServerlessOnlyAndPricing(t *testing.T) {
	path := writeTrace(t, []trace.Event{
		scale(0, "default/burst", 1, template("burst")),
		scale(3600, "default/burst", 0, nil),
	})
	o := PlanOptions{TracePath: path, Config: shippedConfig(t), SchedulerName: "spillway", Cluster: oneWorker(t),
		InstanceTypes: []string{"m5.xlarge"}, Counts: []int{0, 1},
		Prices: cost.Default(), Backends: backends.Default(), Seed: 1}
	p, err := RunPlan(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	by := map[string]Evaluation{}
	for _, e := range p.Shapes {
		names = append(names, e.Name)
		by[e.Name] = e
	}
	if diff := cmp.Diff([]string{ServerlessOnlyShape, "1 x m5.xlarge", "1 x m5.xlarge, Reserved", "1 x m5.xlarge, Spot"}, names); diff != "" {
		t.Fatalf("shapes (-want +got):\n%s", diff)
	}
	od, res := by["1 x m5.xlarge"], by["1 x m5.xlarge, Reserved"]
	// The worker's hour at 0.121 instead of 0.192, for the run's span.
	want := od.Metrics.DedicatedUSD - (0.192-0.121)*od.Metrics.SimulatedS/3600
	if math.Abs(res.Metrics.DedicatedUSD-want) > 1e-9 || res.Metrics.ServerlessUSD != od.Metrics.ServerlessUSD {
		t.Errorf("Reserved VMs $%v, serverless $%v; want $%v and the on-demand run's $%v", res.Metrics.DedicatedUSD, res.Metrics.ServerlessUSD, want, od.Metrics.ServerlessUSD)
	}
	if p.Best < 0 || p.Shapes[p.Best].Name != ServerlessOnlyShape {
		t.Errorf("best %d, want serverless-only; shapes %+v", p.Best, p.Shapes)
	}
	if od.Metrics.VMCPUMean <= 0 {
		t.Errorf("1 x m5.xlarge: VM CPU mean %v, want > 0", od.Metrics.VMCPUMean)
	}
	// m5.xlarge on demand against ACI: 0.192 / (4 x 0.045 + 16 x 0.0054117).
	var be *BreakEven
	for i, b := range p.BreakEven {
		if b.InstanceType == "m5.xlarge" && b.Pricing == cost.OnDemand {
			be = &p.BreakEven[i]
		}
	}
	aci, _ := cost.Default().Serverless("aci")
	if wantU := 0.192 / (4*aci.VCPUHourUSD + 16*aci.GiBHourUSD); be == nil || math.Abs(be.Utilisation-wantU) > 1e-9 {
		t.Errorf("break-even %+v, want m5.xlarge OnDemand at %v", be, wantU)
	}
	rep := PlanReport(p, o, "plan", "trace", "gen")
	md := render(t, rep)
	for _, w := range []string{"Break-even VM utilisation", "| " + ServerlessOnlyShape, "cheapest"} {
		if !strings.Contains(md, w) {
			t.Errorf("report lacks %q", w)
		}
	}
}

func render(t *testing.T, r report.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.WriteMarkdown(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
