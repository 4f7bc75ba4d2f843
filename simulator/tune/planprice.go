package tune

import (
	"fmt"
	"math"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/inprocess"
	"github.com/spillway-dev/spillway/simulator/report"
	"github.com/spillway-dev/spillway/simulator/whatif"
)

// ParamPricing is the pricing option of a plan shape's workers.
const ParamPricing = "pricing"

// ServerlessOnlyShape names the plan's shape without workers.
const ServerlessOnlyShape = "0 workers (serverless-only)"

// vmCPUMean is the time-weighted mean VM CPU utilisation of a run.
func vmCPUMean(res *simulator.Result) float64 {
	var w, secs float64
	for _, x := range res.Series {
		w += x.VMCPUUtil * x.Seconds
		secs += x.Seconds
	}
	if secs == 0 {
		return 0
	}
	return w / secs
}

// serverlessOnlyCluster is f without the node groups that take
// workloads: the control plane and the virtual nodes.
func serverlessOnlyCluster(f *cluster.File) *cluster.File {
	out := *f
	out.NodeGroups = nil
	for _, g := range f.NodeGroups {
		if !takes(g) {
			out.NodeGroups = append(out.NodeGroups, g)
		}
	}
	return &out
}

func takes(g cluster.NodeGroup) bool {
	for _, t := range g.Taints {
		if t.Effect == "NoSchedule" || t.Effect == "NoExecute" {
			return false
		}
	}
	return true
}

// basePricing is the pricing option the cluster file bills the first
// worker group at.
func basePricing(f *cluster.File) cost.PricingOption {
	if i := workerGroup(f); i >= 0 && f.NodeGroups[i].Pricing != "" {
		return cost.PricingOption(f.NodeGroups[i].Pricing)
	}
	if f.Pricing != "" {
		return cost.PricingOption(f.Pricing)
	}
	return cost.OnDemand
}

// repriced are e's shape with its workers billed at each other pricing
// option the catalog has for their instance type: the same run (the
// profile's own vmPricing arg, not the cluster's bill, steers the
// plugins), its VM cost recomputed as
//
//	VMs' = VMs − count × (hourly[base] − hourly[option]) × span / 3600
func repriced(e Evaluation, base cost.PricingOption, prices *cost.Catalog, o Objectives) []Evaluation {
	it, ok := prices.InstanceType(e.Params[ParamWorkerType])
	var count float64
	fmt.Sscan(e.Params[ParamWorkerCount], &count)
	if !ok || count < 1 {
		return nil
	}
	var out []Evaluation
	for _, opt := range []cost.PricingOption{cost.OnDemand, cost.Reserved, cost.Spot} {
		h, ok := it.HourlyUSD[opt]
		if opt == base || !ok {
			continue
		}
		d := e
		d.Name = fmt.Sprintf("%s, %s", e.Name, opt)
		d.Params = map[string]string{}
		for k, v := range e.Params {
			d.Params[k] = v
		}
		d.Params[ParamPricing] = string(opt)
		d.Metrics.DedicatedUSD -= count * (it.HourlyUSD[base] - h) * e.Metrics.SimulatedS / 3600
		d.Metrics.TotalUSD = d.Metrics.DedicatedUSD + d.Metrics.ServerlessUSD
		d.Feasible, d.Violation, d.Violations = o.check(d.Metrics)
		out = append(out, d)
	}
	return out
}

// BreakEven is the VM utilisation at which one worker pays for itself
// against the serverless backend: below it, the pods it holds would cost
// less serverless.
type BreakEven struct {
	InstanceType string             `json:"instance_type"`
	Pricing      cost.PricingOption `json:"pricing"`
	// HourlyUSD is the worker's price; ServerlessHourlyUSD what its
	// allocatable costs serverless per hour, fully used.
	HourlyUSD           float64 `json:"hourly_usd"`
	ServerlessHourlyUSD float64 `json:"serverless_hourly_usd"`
	// Utilisation = HourlyUSD / ServerlessHourlyUSD; above 1 the worker
	// never pays for itself.
	Utilisation float64 `json:"utilisation"`
}

// breakEvens computes, for every instance type and pricing option the
// catalog has, the break-even utilisation against the cheapest
// per-vCPU-hour and per-GiB-hour prices of the cluster's virtual nodes
// (no shape rounding, minimum or cold start: serverless at its cheapest):
//
//	utilisation = hourly / (vCPU × vcpuHourUSD + GiB × gibHourUSD)
func breakEvens(types []string, f *cluster.File, prices *cost.Catalog, bc *backends.Catalog) ([]BreakEven, error) {
	c, err := f.Build(prices, bc)
	if err != nil {
		return nil, err
	}
	rc, rm := math.Inf(1), math.Inf(1)
	for _, v := range c.Virtual {
		if v.Price == nil {
			rc, rm = 0, 0
			continue
		}
		rc, rm = min(rc, v.Price.VCPUHourUSD), min(rm, v.Price.GiBHourUSD)
	}
	if math.IsInf(rc, 1) {
		return nil, nil // no virtual node: nothing to break even against
	}
	var out []BreakEven
	for _, name := range types {
		it, ok := prices.InstanceType(name)
		if !ok {
			continue
		}
		srv := it.VCPU*rc + it.MemoryGiB*rm
		for _, opt := range []cost.PricingOption{cost.OnDemand, cost.Reserved, cost.Spot} {
			h, ok := it.HourlyUSD[opt]
			if !ok {
				continue
			}
			b := BreakEven{InstanceType: name, Pricing: opt, HourlyUSD: h, ServerlessHourlyUSD: srv, Utilisation: math.Inf(1)}
			if srv > 0 {
				b.Utilisation = h / srv
			}
			out = append(out, b)
		}
	}
	return out, nil
}

// breakEvenSection is the plan report's table of break-even points.
func breakEvenSection(bs []BreakEven) report.Section {
	s := report.Section{ID: "break-even", Title: "Break-even VM utilisation",
		Text: "A worker pays for itself against the serverless backend when the pods on it keep at least this share of its allocatable busy (hourly price / what its allocatable costs serverless per hour, at the backend's cheapest rates, without rounding, minimums or cold starts). Compare with each shape's VM CPU mean.",
		Head: []string{"Instance type", "Pricing", "VM $/h", "Serverless $/h, same capacity", "Break-even utilisation"}}
	for _, b := range bs {
		u := "never"
		if !math.IsInf(b.Utilisation, 1) && b.Utilisation <= 1 {
			u = fmt.Sprintf("%.1f%%", 100*b.Utilisation)
		}
		s.Rows = append(s.Rows, []string{b.InstanceType, string(b.Pricing), fmt.Sprintf("$%.4f", b.HourlyUSD), fmt.Sprintf("$%.4f", b.ServerlessHourlyUSD), u})
	}
	return s
}

// serverlessOnlyJob is the plan's shape with no workers.
func serverlessOnlyJob(r *runner, id int, suffix string) (job, error) {
	prof, err := inprocess.Profile(r.o.Config, r.o.Spec.SchedulerName)
	if err != nil {
		return job{}, err
	}
	return job{
		eval:     Evaluation{ID: id, Name: ServerlessOnlyShape + suffix, Stage: "plan", Params: map[string]string{ParamWorkerCount: "0"}},
		scenario: whatif.Scenario{Cluster: serverlessOnlyCluster(r.o.Cluster), Profile: prof},
	}, nil
}
