package tune

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"sync"

	"k8s.io/kubernetes/pkg/scheduler/apis/config"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/report"
	"github.com/spillway-dev/spillway/simulator/whatif"
)

// Options is one tuning run.
type Options struct {
	// TracePath is the native trace the search runs on.
	TracePath string
	Spec      *Spec
	// Config is the user's KubeSchedulerConfiguration; the profile
	// Spec.SchedulerName is tuned, the others are kept.
	Config *config.KubeSchedulerConfiguration
	// Cluster is the cluster file; nil is the default minimal cluster.
	Cluster  *cluster.File
	Prices   *cost.Catalog
	Backends *backends.Catalog
	// Seed drives the sampling and the simulations' random parts.
	Seed int64
	// Parallel is how many simulations run at once; 0 means GOMAXPROCS.
	Parallel int
	// WorkDir holds the held-out part of the trace; "" is a temporary
	// directory.
	WorkDir string
	// Progress, when set, is called after each simulation with how many
	// have finished and an upper bound of how many the run makes.
	Progress func(done, total int)
}

// Result is what a tuning run found.
type Result struct {
	Spec   *Spec    `json:"spec"`
	Seed   int64    `json:"seed"`
	Params []string `json:"params"`
	SpanS  float64  `json:"span_s"`
	TrainS float64  `json:"train_s"`
	Rung0S float64  `json:"first_rung_s"`
	// Evaluations are every run, in the order they were made.
	Evaluations []Evaluation `json:"-"`
	// Best is the best candidate on the training span.
	Best Evaluation `json:"best"`
	// BestConfig is the whole KubeSchedulerConfiguration of Best; BestCluster
	// its cluster file.
	BestConfig  []byte        `json:"-"`
	BestCluster *cluster.File `json:"-"`
	// Pareto is the front of cost against p99 start latency of the
	// candidates run on the whole training span.
	Pareto []Evaluation `json:"pareto"`
	// Compare has the best candidate ("tuned") and the references on the
	// training span, the held-out part and the whole trace, in that order.
	Compare []Evaluation `json:"compare"`
	// Scenarios are the tuned configuration and the references on the
	// held-out part (the whole trace when nothing is held out), for the
	// report's charts.
	Scenarios []report.Scenario `json:"-"`
}

// runner is the state of a run.
type runner struct {
	o      Options
	base   base
	params []param
	span   float64
	train  float64
	rung0  float64

	mu          sync.Mutex
	done, total int
}

func newRunner(o Options) (*runner, error) {
	if o.Spec == nil || o.Config == nil || o.Prices == nil || o.Backends == nil || o.TracePath == "" {
		return nil, fmt.Errorf("tune: Options needs TracePath, Spec, Config, Prices and Backends")
	}
	if err := o.Spec.Validate(); err != nil {
		return nil, err
	}
	if o.Cluster == nil {
		o.Cluster = cluster.Default()
	}
	for i, t := range o.Spec.Space.WorkerInstanceTypes {
		if _, ok := o.Prices.InstanceType(t); !ok {
			return nil, fmt.Errorf("space.workerInstanceTypes[%d]: %q is not in the price catalog", i, t)
		}
	}
	r := &runner{o: o, params: o.Spec.Space.params()}
	if len(r.params) == 0 {
		return nil, fmt.Errorf("space: nothing to search; give at least one range")
	}
	r.base = base{cfg: o.Config, schedulerName: o.Spec.SchedulerName, cluster: o.Cluster, params: r.params}
	// Every parameter must apply to this profile and cluster: build the
	// lowest corner of the space once, so a bad space fails before any run.
	corner := make([]float64, len(r.params))
	for d, p := range r.params {
		corner[d] = p.value(0)
	}
	c, err := r.base.build(corner)
	if err != nil {
		return nil, fmt.Errorf("space: %w", err)
	}
	if _, err := c.cluster.Build(o.Prices, o.Backends); err != nil {
		return nil, fmt.Errorf("space: %w", err)
	}
	span, err := TraceSpan(o.TracePath)
	if err != nil {
		return nil, err
	}
	if span <= 0 {
		return nil, fmt.Errorf("%s: the trace spans no time; nothing to tune on", o.TracePath)
	}
	r.span, r.train = span, span
	if h := o.Spec.Search.Holdout; h > 0 {
		r.train = math.Round(span * (1 - h))
	}
	r.rung0 = math.Round(r.train * o.Spec.Search.FirstRung)
	d := o.Spec.Search
	keep := int(math.Ceil(d.Keep * float64(d.Samples)))
	r.total = d.Samples + keep + max(d.RefineRounds, 0)*2*len(r.params) + 13 // the neutral corner; tuned and three references on three parts
	return r, nil
}

func (r *runner) tick() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	r.total = max(r.total, r.done)
	if r.o.Progress != nil {
		r.o.Progress(r.done, r.total)
	}
}

// samples are the Latin-hypercube points of the run, the same for every
// shard.
func (r *runner) samples() [][]float64 {
	rng := rand.New(rand.NewPCG(uint64(r.o.Seed), 0x7a11e5))
	return latinHypercube(r.params, r.o.Spec.Search.Samples, rng)
}

// candidateJob builds the job of the candidate id at pt.
func (r *runner) candidateJob(id int, stage string, pt []float64) (job, error) {
	c, err := r.base.build(pt)
	if err != nil {
		return job{}, fmt.Errorf("candidate %d: %w", id, err)
	}
	params := map[string]string{}
	for d, p := range r.params {
		params[p.name] = p.format(pt[d])
	}
	return job{
		eval:     Evaluation{ID: id, Name: fmt.Sprintf("c%d", id), Stage: stage, Point: pt, Params: params},
		scenario: whatif.Scenario{Cluster: c.cluster, Profile: c.profile},
	}, nil
}

// Run searches the space and returns what it found.
func Run(ctx context.Context, o Options) (*Result, error) {
	r, err := newRunner(o)
	if err != nil {
		return nil, err
	}
	first, err := r.shard(ctx, 0, 1)
	if err != nil {
		return nil, err
	}
	return r.resume(ctx, first)
}

// RunShard evaluates shard index of count of the search's first stage (the
// samples whose ID modulo count is index), as a Job pod does.
func RunShard(ctx context.Context, o Options, index, count int) ([]Evaluation, error) {
	if count < 1 || index < 0 || index >= count {
		return nil, fmt.Errorf("shard %d of %d: want 0 <= index < count", index, count)
	}
	r, err := newRunner(o)
	if err != nil {
		return nil, err
	}
	r.total = (o.Spec.Search.Samples + count - 1 - index) / count
	return r.shard(ctx, index, count)
}

// Resume continues a search from its first stage's evaluations (gathered
// from every shard) and returns what it found, as Run would.
func Resume(ctx context.Context, o Options, first []Evaluation) (*Result, error) {
	r, err := newRunner(o)
	if err != nil {
		return nil, err
	}
	if err := r.checkFirst(first); err != nil {
		return nil, err
	}
	sortEvals(first, func(a, b *Evaluation) bool { return a.ID < b.ID })
	return r.resume(ctx, first)
}

func (r *runner) shard(ctx context.Context, index, count int) ([]Evaluation, error) {
	var jobs []job
	for id, pt := range r.samples() {
		if id%count != index {
			continue
		}
		j, err := r.candidateJob(id, StageSample, pt)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	evals, _, err := r.evaluate(ctx, r.o.TracePath, r.rung0, jobs)
	return evals, err
}

// checkFirst checks that first is exactly this run's first stage.
func (r *runner) checkFirst(first []Evaluation) error {
	pts := r.samples()
	seen := map[int]bool{}
	for _, e := range first {
		if e.Stage != StageSample || e.ID < 0 || e.ID >= len(pts) || seen[e.ID] {
			return fmt.Errorf("merge: evaluation %d (%s) is not a sample of this search, or comes twice", e.ID, e.Stage)
		}
		if fmt.Sprint(e.Point) != fmt.Sprint(pts[e.ID]) || e.UntilS != r.rung0 {
			return fmt.Errorf("merge: sample %d was run with other inputs (point %v on %.0f s; this search: %v on %.0f s)", e.ID, e.Point, e.UntilS, pts[e.ID], r.rung0)
		}
		seen[e.ID] = true
	}
	if len(seen) != len(pts) {
		return fmt.Errorf("merge: have %d of the %d samples; a shard is missing", len(seen), len(pts))
	}
	return nil
}

func sortEvals(es []Evaluation, less func(a, b *Evaluation) bool) {
	sort.SliceStable(es, func(i, j int) bool { return less(&es[i], &es[j]) })
}
