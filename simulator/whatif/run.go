package whatif

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
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
// the results in the scenarios' order. A scenario sized for the peak is
// sized from the trace alone (PeakWorkers) and runs beside the others.
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
	all := make([]int, len(o.Scenarios))
	for i := range all {
		all[i] = i
	}
	if err := o.runAll(ctx, all, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (o *Options) runAll(ctx context.Context, idx []int, out []report.Scenario) error {
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
			r, sized, err := o.runOne(ctx, s)
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
func (o *Options) runOne(ctx context.Context, s Scenario) (*simulator.Result, string, error) {
	f := s.Cluster
	if f == nil {
		f = cluster.Default()
	}
	sized := ""
	if s.SizeForPeak {
		var (
			size PeakSize
			err  error
		)
		if f, size, _, err = sizedForPeak(f, o.Prices, o.Backends, o.TracePath, o.Until); err != nil {
			return nil, "", err
		}
		for _, g := range f.NodeGroups {
			if takesWorkloads(g) {
				sized = fmt.Sprintf(": %d x %s (the %d pods running at %s, %s CPU, pack into %d)", g.Count, g.InstanceType,
					size.Pods, hmm(size.AtS), milliText(size.CPUMilli), size.Workers)
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

// hmm formats seconds from the start as h:mm.
func hmm(s float64) string {
	m := int64(s / 60)
	return fmt.Sprintf("%d:%02d", m/60, m%60)
}

// milliText formats millicores as cores, e.g. "62.5".
func milliText(m int64) string {
	return strconv.FormatFloat(float64(m)/1000, 'f', -1, 64)
}
