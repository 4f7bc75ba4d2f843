package whatif

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/report"
)

// Options is one what-if run.
type Options struct {
	TracePath string
	// TraceName names the trace in errors; "" is TracePath (a command
	// that copied a pipe to a temporary file gives the pipe's name).
	TraceName string
	Scenarios []Scenario
	Seed      int64
	Until     float64
	Prices    *cost.Catalog
	Backends  *backends.Catalog
	// Parallel is how many scenarios run at once; 0 means GOMAXPROCS.
	Parallel int
	// Done, when set, is called as each scenario finishes.
	Done func(name string, r *simulator.Result)
}

// Run simulates the trace under every scenario, in parallel, and returns
// the results in the scenarios' order. Scenarios sized for the peak run
// after the others, from the largest peak demand they measured (or after a
// measuring run of the first scenario's cluster, if they are alone).
func Run(ctx context.Context, o Options) ([]report.Scenario, error) {
	if len(o.Scenarios) == 0 {
		return nil, fmt.Errorf("whatif: no scenarios")
	}
	seen := map[string]bool{}
	for _, s := range o.Scenarios {
		if seen[s.Name] {
			return nil, fmt.Errorf("whatif: two scenarios are named %q", s.Name)
		}
		seen[s.Name] = true
	}
	out := make([]report.Scenario, len(o.Scenarios))
	var first, peak []int
	for i, s := range o.Scenarios {
		if s.SizeForPeak {
			peak = append(peak, i)
		} else {
			first = append(first, i)
		}
	}
	if len(first) == 0 {
		probe := o.Scenarios[0]
		probe.SizeForPeak = false
		r, _, err := o.runOne(ctx, probe, nil)
		if err != nil {
			return nil, err
		}
		out[0].Result = *r // replaced below; only the peak is used
	}
	if err := o.runAll(ctx, first, out, nil); err != nil {
		return nil, err
	}
	var cpu, mem int64
	for _, r := range out {
		cpu = max(cpu, r.Result.Summary.Sim.PeakDemandCPUMilli)
		mem = max(mem, r.Result.Summary.Sim.PeakDemandMemBytes)
	}
	if err := o.runAll(ctx, peak, out, &[2]int64{cpu, mem}); err != nil {
		return nil, err
	}
	return out, nil
}

func (o *Options) runAll(ctx context.Context, idx []int, out []report.Scenario, peak *[2]int64) error {
	par := o.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	sem := make(chan struct{}, par)
	errs := make([]error, len(idx))
	var wg sync.WaitGroup
	for k, i := range idx {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			s := o.Scenarios[i]
			r, sized, err := o.runOne(ctx, s, peak)
			if err != nil {
				errs[k] = fmt.Errorf("scenario %s: %w", s.Name, err)
				return
			}
			r.Summary.Scenario = s.Name
			out[i] = report.Scenario{Name: s.Name, Description: s.Description + sized, Result: *r}
			if o.Done != nil {
				o.Done(s.Name, r)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// runOne simulates one scenario; for a scenario sized for the peak it
// also says what size it chose.
func (o *Options) runOne(ctx context.Context, s Scenario, peak *[2]int64) (*simulator.Result, string, error) {
	f := s.Cluster
	if f == nil {
		f = cluster.Default()
	}
	sized := ""
	if s.SizeForPeak && peak != nil {
		var err error
		if f, err = sizedForPeak(f, o.Prices, o.Backends, peak[0], peak[1]); err != nil {
			return nil, "", err
		}
		for _, g := range f.NodeGroups {
			if takesWorkloads(g) {
				sized = fmt.Sprintf(": %d x %s", g.Count, g.InstanceType)
			}
		}
	}
	c, err := f.Build(o.Prices, o.Backends)
	if err != nil {
		return nil, "", err
	}
	tf, err := os.Open(o.TracePath)
	if err != nil {
		return nil, "", err
	}
	defer tf.Close()
	name := o.TraceName
	if name == "" {
		name = o.TracePath
	}
	r, err := simulator.Run(ctx, simulator.Config{Trace: tf, TraceName: name, Cluster: c, Profile: s.Profile, Seed: o.Seed, Until: o.Until})
	return r, sized, err
}
