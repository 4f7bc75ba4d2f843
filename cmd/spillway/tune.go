package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/tune"
)

// tuneFlags are the flags of tune, tune merge and plan.
type tuneFlags struct {
	in         inputs
	traceFile  string
	out        string
	specFile   string
	parallel   int
	samples    int
	holdout    float64
	p99        time.Duration
	maxPending time.Duration
	maxSLUSD   float64
	maxSLShare float64
	maxUnsched int64
	fs         *pflag.FlagSet
}

func (t *tuneFlags) add(fs *pflag.FlagSet) {
	t.in.addFlags(fs)
	t.fs = fs
	fs.StringVar(&t.traceFile, "trace", "", "native trace file (JSON Lines)")
	fs.StringVar(&t.out, "out", "", "output directory")
	fs.StringVar(&t.specFile, "spec", "", "tune file (kind Tune: objectives, space, search; default: the built-in space, no objectives)")
	fs.IntVar(&t.parallel, "parallel", 0, "simulations at once (default: GOMAXPROCS)")
	fs.IntVar(&t.samples, "samples", 0, "Latin-hypercube samples (overrides search.samples)")
	fs.Float64Var(&t.holdout, "holdout", 0, "fraction of the trace held out for the check, 0..0.9; negative: none (overrides search.holdout)")
	fs.DurationVar(&t.p99, "p99-start-latency", 0, "objective: p99 start latency at most this (objectives.p99StartLatency)")
	fs.DurationVar(&t.maxPending, "max-pending", 0, "objective: longest start latency at most this (objectives.maxPending)")
	fs.Float64Var(&t.maxSLUSD, "max-serverless-usd", 0, "objective: serverless cost cap over the span (objectives.maxServerlessUSD)")
	fs.Float64Var(&t.maxSLShare, "max-serverless-share", 0, "objective: serverless share of the cost cap, 0..1 (objectives.maxServerlessShare)")
	fs.Int64Var(&t.maxUnsched, "max-unscheduled", 0, "objective: at most this many pods never placed (objectives.maxUnscheduled)")
}

// options loads the inputs and the spec, with the flags over the file.
func (t *tuneFlags) options() (tune.Options, error) {
	var o tune.Options
	if t.traceFile == "" || t.out == "" {
		return o, fmt.Errorf("--trace and --out are required")
	}
	if err := t.in.load(); err != nil {
		return o, err
	}
	spec := tune.DefaultSpec()
	if t.specFile != "" {
		var err error
		if spec, err = tune.ParseSpecFile(t.specFile); err != nil {
			return o, err
		}
	}
	ch := t.fs.Changed
	if ch("samples") {
		spec.Search.Samples = t.samples
	}
	if ch("holdout") {
		spec.Search.Holdout = t.holdout
		if t.holdout == 0 {
			spec.Search.Holdout = -1
		}
	}
	if ch("p99-start-latency") {
		spec.Objectives.P99StartLatency = &tune.Duration{Duration: t.p99}
	}
	if ch("max-pending") {
		spec.Objectives.MaxPending = &tune.Duration{Duration: t.maxPending}
	}
	if ch("max-serverless-usd") {
		spec.Objectives.MaxServerlessUSD = &t.maxSLUSD
	}
	if ch("max-serverless-share") {
		spec.Objectives.MaxServerlessShare = &t.maxSLShare
	}
	if ch("max-unscheduled") {
		spec.Objectives.MaxUnscheduled = &t.maxUnsched
	}
	if err := spec.Validate(); err != nil {
		src := t.specFile
		if src == "" {
			src = "the tune flags"
		}
		return o, fmt.Errorf("%s: %w", src, err)
	}
	cf := cluster.Default()
	if t.in.clusterFile != "" {
		var err error
		if cf, err = cluster.ParseFile(t.in.clusterFile); err != nil {
			return o, err
		}
	}
	return tune.Options{TracePath: t.traceFile, Spec: spec, Config: t.in.schedulerCfg, Cluster: cf,
		Prices: t.in.prices, Backends: t.in.backends, Seed: t.in.seed, Parallel: t.parallel}, nil
}

// countProgress shows a bar of runs with an ETA on stderr once a run has
// taken more than two seconds, if stderr is a terminal.
func (t *tuneFlags) countProgress(what string) (update func(done, total int), finish func()) {
	if t.in.noProgress || !term.IsTerminal(int(os.Stderr.Fd())) {
		return nil, func() {}
	}
	start := time.Now()
	var bar *progressbar.ProgressBar
	update = func(done, total int) {
		if bar == nil {
			if time.Since(start) < 2*time.Second {
				return
			}
			bar = progressbar.NewOptions(total, progressbar.OptionSetDescription(what),
				progressbar.OptionSetWriter(os.Stderr), progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish(),
				progressbar.OptionThrottle(100*time.Millisecond))
		}
		bar.ChangeMax(total)
		_ = bar.Set(done)
	}
	return update, func() {
		if bar != nil {
			_ = bar.Finish()
		}
	}
}

// shardFlags picks the shard: --shard-index/--shard-count, or
// JOB_COMPLETION_INDEX with --shard-count in an Indexed Job.
func shardOf(index, count int) (int, int, bool, error) {
	if env := os.Getenv("JOB_COMPLETION_INDEX"); env != "" && index < 0 {
		i, err := strconv.Atoi(env)
		if err != nil {
			return 0, 0, false, fmt.Errorf("JOB_COMPLETION_INDEX: want an integer, got %q", env)
		}
		index = i
	}
	if index < 0 && count <= 0 {
		return 0, 0, false, nil
	}
	if count < 1 || index < 0 || index >= count {
		return 0, 0, false, fmt.Errorf("--shard-index %d, --shard-count %d: want 0 <= index < count", index, count)
	}
	return index, count, true, nil
}

// shardFile is where shard index of count writes its evaluations.
func shardFile(dir string, index, count int) string {
	return filepath.Join(dir, fmt.Sprintf("shard-%d-of-%d.jsonl", index, count))
}

func generated(cmd string, o tune.Options, t *tuneFlags) string {
	return fmt.Sprintf("spillway %s, seed %d, profile %s of %s, prices of %s", cmd, o.Seed, o.Spec.SchedulerName, t.in.schedulerCfgAt, t.in.prices.Updated)
}

func reportTitle(t *tuneFlags, what string) string {
	return what + ": " + strings.TrimSuffix(filepath.Base(t.traceFile), filepath.Ext(t.traceFile))
}
