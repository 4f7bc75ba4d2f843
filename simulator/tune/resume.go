package tune

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/inprocess"
	"github.com/spillway-dev/spillway/simulator/report"
	"github.com/spillway-dev/spillway/simulator/whatif"
)

// resume runs the stages after the samples: the best of them on the whole
// training span, local refinement, then the best and the references on
// the training span, the held-out part and the whole trace.
func (r *runner) resume(ctx context.Context, first []Evaluation) (*Result, error) {
	d := r.o.Spec.Search
	all := append([]Evaluation(nil), first...)
	var full []Evaluation
	if r.rung0 == r.train {
		full = append(full, first...)
	} else {
		ranked := append([]Evaluation(nil), first...)
		sortEvals(ranked, better)
		keep := min(int(math.Ceil(d.Keep*float64(len(ranked)))), len(ranked))
		var jobs []job
		for _, e := range ranked[:keep] {
			j, err := r.candidateJob(e.ID, StageFull, e.Point)
			if err != nil {
				return nil, err
			}
			jobs = append(jobs, j)
		}
		evals, _, err := r.evaluate(ctx, r.o.TracePath, r.train, jobs)
		if err != nil {
			return nil, err
		}
		full, all = append(full, evals...), append(all, evals...)
	}
	// The neutral corner, Spillway's score plugins off (scoring as the
	// vm-first baseline), always runs on the whole training span: the
	// tuned configuration never loses to it there.
	tried := map[string]bool{}
	for _, e := range full {
		tried[fmt.Sprint(e.Point)] = true
	}
	nextID := d.Samples
	if pt, ok := r.neutralPoint(); ok {
		if key := fmt.Sprint(pt); !tried[key] {
			tried[key] = true
			j, err := r.candidateJob(nextID, StageNeutral, pt)
			if err != nil {
				return nil, err
			}
			j.eval.Name = NeutralName
			evals, _, err := r.evaluate(ctx, r.o.TracePath, r.train, []job{j})
			if err != nil {
				return nil, err
			}
			full, all = append(full, evals...), append(all, evals...)
		}
		nextID++
	}
	best := full[0]
	for _, e := range full[1:] {
		if better(&e, &best) {
			best = e
		}
	}
	// Local refinement: try every neighbour of the best; move to the best
	// neighbour that beats it, else halve the step.
	step := 0.25
	for round := 0; round < d.RefineRounds; round++ {
		var jobs []job
		for _, pt := range neighbours(r.params, best.Point, step) {
			if key := fmt.Sprint(pt); !tried[key] {
				tried[key] = true
				j, err := r.candidateJob(nextID, StageRefine, pt)
				if err != nil {
					return nil, err
				}
				jobs = append(jobs, j)
				nextID++
			}
		}
		evals, _, err := r.evaluate(ctx, r.o.TracePath, r.train, jobs)
		if err != nil {
			return nil, err
		}
		full, all = append(full, evals...), append(all, evals...)
		moved := false
		for _, e := range evals {
			if better(&e, &best) {
				best, moved = e, true
			}
		}
		if !moved {
			step /= 2
		}
	}
	res := &Result{Spec: r.o.Spec, Seed: r.o.Seed, SpanS: r.span, TrainS: r.train, Rung0S: r.rung0, Best: best, Pareto: pareto(full)}
	for _, p := range r.params {
		res.Params = append(res.Params, p.name)
	}
	c, err := r.base.build(best.Point)
	if err != nil {
		return nil, err
	}
	res.BestConfig, res.BestCluster = c.yaml, c.cluster
	compare, scen, err := r.compare(ctx, best, c)
	if err != nil {
		return nil, err
	}
	res.Compare, res.Scenarios = compare, scen
	res.Evaluations = append(all, compare...)
	return res, nil
}

// compareWith are the what-if scenarios the tuned candidate is compared
// with, in the report's order.
var compareWith = []string{"spillway", "vm-first", "default-burst"}

// compare runs the tuned candidate, the user's profile as configured
// ("spillway"), the vm-first baseline and the stock kube-scheduler
// profile on the same cluster ("default-burst") on the training span, the
// held-out part and the whole trace.
func (r *runner) compare(ctx context.Context, best Evaluation, c *candidate) ([]Evaluation, []report.Scenario, error) {
	mine, err := inprocess.Profile(r.o.Config, r.o.Spec.SchedulerName)
	if err != nil {
		return nil, nil, err
	}
	refs, err := whatif.DefaultScenarios(r.o.Cluster, mine)
	if err != nil {
		return nil, nil, err
	}
	byName := map[string]whatif.Scenario{}
	for _, s := range refs {
		byName[s.Name] = s
	}
	jobs := func(stage string) []job {
		t := best
		t.Name, t.Stage = "tuned", stage
		desc := "the best configuration found, " + Describe(best)
		if c.neutral {
			desc = "the best configuration found: Spillway's score plugins off, scoring as vm-first does (" + Describe(best) + ")"
		}
		out := []job{{eval: t, scenario: whatif.Scenario{Description: desc, Cluster: c.cluster, Profile: c.profile}}}
		for i, name := range compareWith {
			out = append(out, job{eval: Evaluation{ID: -1 - i, Name: name, Stage: stage}, scenario: byName[name]})
		}
		return out
	}
	train, _, err := r.evaluate(ctx, r.o.TracePath, r.train, jobs(StageTraining))
	if err != nil {
		return nil, nil, err
	}
	out := train
	var charts []report.Scenario
	if r.train < r.span {
		dir := r.o.WorkDir
		if dir == "" {
			if dir, err = os.MkdirTemp("", "spillway-tune-"); err != nil {
				return nil, nil, err
			}
			defer os.RemoveAll(dir)
		}
		path := filepath.Join(dir, "holdout.jsonl")
		f, err := os.Create(path)
		if err != nil {
			return nil, nil, err
		}
		err = WriteWindow(r.o.TracePath, r.train, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, nil, fmt.Errorf("holdout: %w", err)
		}
		held, scen, err := r.evaluate(ctx, path, 0, jobs(StageHoldout))
		if err != nil {
			return nil, nil, err
		}
		out, charts = append(out, held...), scen
	}
	whole, scen, err := r.evaluate(ctx, r.o.TracePath, 0, jobs(StageTrace))
	if err != nil {
		return nil, nil, err
	}
	if charts == nil {
		charts = scen
	}
	for i := range charts {
		charts[i].Description = jobs("")[i].scenario.Description
	}
	return append(out, whole...), charts, nil
}

// Describe lists a candidate's values.
func Describe(e Evaluation) string {
	s := ""
	for _, k := range sortedKeys(e.Params) {
		if s != "" {
			s += ", "
		}
		s += k + " " + e.Params[k]
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// NeutralName names the neutral corner's evaluation in results.jsonl.
const NeutralName = "neutral"

// neutralPoint is the neutral corner of the space: every searched plugin
// weight at 0 (off), so the profile scores as the vm-first baseline; the
// cluster's worker type and count as the user's cluster has them (the
// nearest values of the space); the plugins' args, unused, mid-range. ok is
// false when the space cannot turn Spillway's score plugins off (a weight
// range above 0, or a weight not searched).
func (r *runner) neutralPoint() ([]float64, bool) {
	pt := make([]float64, len(r.params))
	var group *cluster.NodeGroup
	if i := workerGroup(r.o.Cluster); i >= 0 {
		group = &r.o.Cluster.NodeGroups[i]
	}
	for d, p := range r.params {
		switch {
		case p.name == ParamBurstCostWeight || p.name == ParamSteadinessWeight:
			if p.min > 0 {
				return nil, false
			}
			pt[d] = 0
		case p.name == ParamWorkerType && group != nil:
			pt[d] = 0
			if i := slices.Index(p.choices, group.InstanceType); i >= 0 {
				pt[d] = float64(i)
			}
		case p.name == ParamWorkerCount && group != nil:
			pt[d] = math.Min(math.Max(float64(group.Count), p.min), p.max)
		default:
			pt[d] = p.value(0.5)
		}
	}
	c, err := r.base.build(pt)
	if err != nil || !c.neutral {
		return nil, false
	}
	return pt, true
}
