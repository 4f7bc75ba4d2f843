package tune

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"k8s.io/kubernetes/pkg/scheduler/apis/config"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/report"
)

// PlanOptions is one capacity-planning sweep: every worker instance type
// by every worker count, under one profile, on one trace.
type PlanOptions struct {
	TracePath     string
	Config        *config.KubeSchedulerConfiguration
	SchedulerName string
	// Cluster is the cluster file whose first worker group is resized; nil
	// is the default minimal cluster.
	Cluster       *cluster.File
	InstanceTypes []string
	Counts        []int
	Objectives    Objectives
	Prices        *cost.Catalog
	Backends      *backends.Catalog
	Seed          int64
	Parallel      int
	// Until stops each run at this simulated second; 0 runs the whole trace.
	Until float64
	// Quotas are CPU quotas (cores) of the virtual nodes' backend to sweep
	// as well; 0 is the backend catalog's own. Empty: the catalog's only.
	Quotas []int
	// OnePricing, when set, prices the workers only as the cluster file
	// does; otherwise every shape is also shown at the catalog's other
	// pricing options (OnDemand, Reserved, Spot) of its instance type.
	OnePricing bool
	Progress   func(done, total int)
}

// Plan is what a sweep measured.
type Plan struct {
	// Shapes are the runs, by instance type (in the given order), then count.
	Shapes []Evaluation `json:"shapes"`
	// Best indexes the cheapest shape that meets the objectives; -1: none.
	Best int `json:"best"`
	// BreakEven is, per instance type and pricing option, the VM
	// utilisation at which a worker pays for itself against serverless.
	BreakEven []BreakEven `json:"break_even"`
	// Scenarios are the full results of the best shape and of the given
	// cluster's shape (when swept), for the report's charts.
	Scenarios []report.Scenario `json:"-"`
}

// RunPlan runs every shape in parallel and picks the cheapest that meets
// the objectives.
func RunPlan(ctx context.Context, o PlanOptions) (*Plan, error) {
	if len(o.InstanceTypes) == 0 || len(o.Counts) == 0 {
		return nil, fmt.Errorf("plan: give at least one instance type and one worker count")
	}
	seen := map[int]bool{}
	var workerCounts []int
	for i, c := range o.Counts {
		if c < 0 || c > cluster.MaxNodesPerGroup || seen[c] {
			return nil, fmt.Errorf("plan: counts[%d]: want distinct counts 0..%d (0: serverless-only), got %d", i, cluster.MaxNodesPerGroup, c)
		}
		seen[c] = true
		if c > 0 {
			workerCounts = append(workerCounts, c)
		}
	}
	lo, hi := 1, 1 // serverless-only alone still needs a worker range to search
	if len(workerCounts) > 0 {
		lo, hi = slices.Min(workerCounts), slices.Max(workerCounts)
	}
	spec := &Spec{APIVersion: APIVersion, Kind: Kind, SchedulerName: o.SchedulerName, Objectives: o.Objectives,
		Space:  Space{WorkerInstanceTypes: o.InstanceTypes, WorkerCount: &IntRange{lo, hi}},
		Search: Search{Samples: 1, FirstRung: 1, Keep: 1, RefineRounds: -1, Holdout: -1}}
	quotas := o.Quotas
	if len(quotas) == 0 {
		quotas = []int{0}
	}
	var (
		evals []Evaluation
		scen  []report.Scenario
		done  int
	)
	total := (len(o.InstanceTypes)*len(workerCounts) + len(o.Counts) - len(workerCounts)) * len(quotas)
	for qi, q := range quotas {
		ro := Options{TracePath: o.TracePath, Spec: spec, Config: o.Config, Cluster: o.Cluster,
			Prices: o.Prices, Backends: o.Backends, Seed: o.Seed, Parallel: o.Parallel}
		if o.Progress != nil {
			base := done
			ro.Progress = func(d, _ int) { o.Progress(base+d, total) }
		}
		suffix := ""
		if q != 0 {
			if q < 0 || q > 1000000 {
				return nil, fmt.Errorf("plan: quotas[%d]: want 1..1000000 cores (0: the catalog's), got %d", qi, q)
			}
			cleanup, err := withQuota(&ro, q)
			if err != nil {
				return nil, err
			}
			defer cleanup()
			suffix = fmt.Sprintf(", quota %d", q)
		}
		r, err := newRunner(ro)
		if err != nil {
			return nil, err
		}
		var jobs []job
		if len(workerCounts) < len(o.Counts) {
			j, err := serverlessOnlyJob(r, len(evals), suffix)
			if err != nil {
				return nil, err
			}
			if q != 0 {
				j.eval.Params[ParamBackendQuota] = fmt.Sprint(q)
			}
			jobs = append(jobs, j)
		}
		for ti := range o.InstanceTypes {
			for _, c := range workerCounts {
				j, err := r.candidateJob(len(evals)+len(jobs), "plan", []float64{float64(ti), float64(c)})
				if err != nil {
					return nil, err
				}
				j.eval.Name = fmt.Sprintf("%d x %s%s", c, o.InstanceTypes[ti], suffix)
				if q != 0 {
					j.eval.Params[ParamBackendQuota] = fmt.Sprint(q)
				}
				jobs = append(jobs, j)
			}
		}
		e, s, err := r.evaluate(ctx, o.TracePath, o.Until, jobs)
		if err != nil {
			return nil, err
		}
		base := basePricing(r.o.Cluster)
		for i := range e {
			evals, scen = append(evals, e[i]), append(scen, s[i])
			if o.OnePricing {
				continue
			}
			for _, d := range repriced(e[i], base, o.Prices, o.Objectives) {
				rs := s[i]
				rs.Name = d.Name
				evals, scen = append(evals, d), append(scen, rs)
			}
		}
		done += len(jobs)
	}
	f := o.Cluster
	if f == nil {
		f = cluster.Default()
	}
	be, err := breakEvens(o.InstanceTypes, f, o.Prices, o.Backends)
	if err != nil {
		return nil, err
	}
	for i := range evals {
		evals[i].ID = i
	}
	p := &Plan{Shapes: evals, Best: -1, BreakEven: be}
	for i := range evals {
		if evals[i].Feasible && (p.Best < 0 || better(&evals[i], &evals[p.Best])) {
			p.Best = i
		}
	}
	given := ""
	if o.Cluster != nil {
		if wi := workerGroup(o.Cluster); wi >= 0 {
			g := o.Cluster.NodeGroups[wi]
			given = fmt.Sprintf("%d x %s", g.Count, g.InstanceType)
		}
	} else {
		given = "3 x m5.xlarge"
	}
	for i := range evals {
		if i == p.Best {
			s := scen[i]
			s.Name, s.Description = "cheapest: "+evals[i].Name, "the cheapest shape that meets the objectives"
			if evals[i].Params[ParamPricing] != "" {
				s.Description += " (its run, charted at the cluster file's VM prices)"
			}
			p.Scenarios = append(p.Scenarios, s)
		}
	}
	for i := range evals {
		if evals[i].Name == given && i != p.Best {
			s := scen[i]
			s.Name, s.Description = "given: "+evals[i].Name, "the cluster as given"
			p.Scenarios = append(p.Scenarios, s)
		}
	}
	if len(p.Scenarios) == 0 && len(scen) > 0 {
		p.Scenarios = append(p.Scenarios, scen[0])
	}
	return p, nil
}

// PlanReport is the sweep as a what-if style report: the table of shapes
// and cost and p99 start latency against the worker count per instance
// type.
func PlanReport(p *Plan, o PlanOptions, title, trace, generated string) report.Report {
	r := report.Report{Title: title, Trace: trace, Generated: generated, Scenarios: p.Scenarios}
	r.Notes = []string{"Objectives: " + objectivesText(o.Objectives) + "."}
	if !o.OnePricing {
		r.Notes = append(r.Notes, "A shape with a pricing option (Reserved, Spot) is the same run with its workers billed at that catalog price; Spot assumes no interruption.")
	}
	if p.Best >= 0 {
		r.Notes = append(r.Notes, "Cheapest shape that meets them: "+p.Shapes[p.Best].Name+" workers, "+usd(p.Shapes[p.Best].Metrics.TotalUSD)+".")
	} else {
		r.Notes = append(r.Notes, "No shape meets them.")
	}
	tab := report.Section{ID: "shapes", Title: "Shapes", Text: "Every worker shape swept; the cheapest that meets the objectives is marked.",
		Head: []string{"Workers", "Total $", "VMs $", "Serverless $", "p50 s", "p99 s", "max s", "Unscheduled", "VM CPU mean", "Meets objectives", ""}}
	costC := &report.Scatter{XName: "workers", YName: "total cost (USD)"}
	latC := &report.Scatter{XName: "workers", YName: "p99 start latency (s)"}
	quotas := o.Quotas
	if len(quotas) == 0 {
		quotas = []int{0}
	}
	for qi, q := range quotas {
		for ti, it := range o.InstanceTypes {
			name, quota := it, ""
			if q != 0 {
				name, quota = fmt.Sprintf("%s, quota %d", it, q), fmt.Sprint(q)
			}
			cs := report.ScatterSeries{Name: name, Colour: qi*len(o.InstanceTypes) + ti, Line: true}
			ls := cs
			planRows(p, &tab, &cs, &ls, it, quota)
			costC.Series, latC.Series = append(costC.Series, cs), append(latC.Series, ls)
		}
	}
	r.Sections = []report.Section{tab,
		{ID: "plan-cost", Title: "Total cost by worker count", Chart: costC},
		{ID: "plan-latency", Title: "p99 start latency by worker count", Chart: latC}}
	if len(p.BreakEven) > 0 {
		r.Sections = append(r.Sections, breakEvenSection(p.BreakEven))
	}
	return r
}

// planRows adds the shapes of one instance type and quota to the table and
// the two charts' series.
func planRows(p *Plan, tab *report.Section, cs, ls *report.ScatterSeries, it, quota string) {
	for i, e := range p.Shapes {
		zero := e.Params[ParamWorkerCount] == "0"
		if e.Params[ParamBackendQuota] != quota || (e.Params[ParamWorkerType] != it && !zero) {
			continue
		}
		n, _ := strconv.Atoi(e.Params[ParamWorkerCount])
		if e.Params[ParamPricing] == "" {
			cs.Xs, cs.Ys = append(cs.Xs, float64(n)), append(cs.Ys, e.Metrics.TotalUSD)
			ls.Xs, ls.Ys = append(ls.Xs, float64(n)), append(ls.Ys, e.Metrics.P99S)
		}
		if zero && tab.Rows != nil && slices.ContainsFunc(tab.Rows, func(row []string) bool { return row[0] == e.Name }) {
			continue // the serverless-only row is the same for every instance type
		}
		mark := ""
		if i == p.Best {
			mark = "cheapest"
		}
		m := e.Metrics
		meets := "yes"
		if !e.Feasible {
			meets = "no"
		}
		tab.Rows = append(tab.Rows, []string{e.Name, usd(m.TotalUSD), usd(m.DedicatedUSD), usd(m.ServerlessUSD),
			sec(m.P50S), sec(m.P99S), sec(m.MaxS), strconv.FormatInt(m.Unscheduled, 10), fmt.Sprintf("%.1f%%", 100*m.VMCPUMean), meets, mark})
	}
}
