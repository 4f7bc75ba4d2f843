package main

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"

	"github.com/spillway-dev/spillway/internal/output"
	"github.com/spillway-dev/spillway/simulator/tune"
)

func newTuneCommand() *cobra.Command {
	var (
		t          tuneFlags
		shardIndex int
		shardCount int
		job        jobFlags
	)
	cmd := &cobra.Command{
		Use:   "tune --trace FILE --out DIR",
		Short: "Search the Spillway profile's weights and args and the worker VMs for the cheapest configuration that meets the objectives",
		Long: `tune searches the tuned profile's BurstCost and Steadiness weights, the
Steadiness headroom threshold, window and base percentile, BurstCost's
default horizon and the worker VMs (instance type and count) for the
cheapest configuration that meets the objectives on the trace.

The search: Latin-hypercube samples (seeded by --seed) on the first part of
the training span; the best of them on all of it; local refinement around
the best; the neutral corner (both weights 0: BurstCost and Steadiness off,
scoring as the vm-first baseline) always runs on the training span and wins
when nothing beats it; the last --holdout of the trace is never searched on
and checks the result. Simulations run in parallel on every core.

It writes into --out: scheduler-config.yaml (the whole
KubeSchedulerConfiguration, ready for spillway-scheduler --config),
cluster.yaml (the recommended cluster), results.jsonl (every run),
summary.json, report.html and report.md (the Pareto front of cost against
p99 start latency, the tuned configuration against the profile as
configured, vm-first and the stock kube-scheduler, on the training and
held-out parts).

Sweeps too big for one machine: --emit-job FILE writes a Kubernetes Indexed
Job whose pods each run one shard of the samples (--shard-count, the pod's
JOB_COMPLETION_INDEX) into --out; 'spillway tune merge' then finishes the
search from the shards' files, with the same result as a single run.

The tune file (--spec; every field optional, flags override it; see
simulator/tune/README.md):

  apiVersion: spillway.dev/v1alpha1
  kind: Tune
  schedulerName: spillway
  objectives: {p99StartLatency: 60s, maxPending: 10m, maxServerlessUSD: 25,
               maxServerlessShare: 0.6, maxUnscheduled: 100}
  space:
    burstCostWeight: {min: 0, max: 20}    # 0 turns the plugin off
    steadinessWeight: {min: 0, max: 20}
    vmHeadroomPercent: {min: 40, max: 100}
    window: {min: 10m, max: 4h}
    basePercentile: {min: 10, max: 90}
    defaultHorizon: {min: 5m, max: 4h}
    workerInstanceTypes: [m5.xlarge, m5.2xlarge]
    workerCount: {min: 2, max: 4}
  search: {samples: 32, firstRung: 0.25, keep: 0.34, refineRounds: 3, holdout: 0.25}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			quiet()
			if job.path != "" {
				return job.write(cmd, &t, shardCount)
			}
			if t.in.until != 0 {
				return fmt.Errorf("--until: tune runs the whole trace; search.holdout and search.firstRung set the parts it uses")
			}
			o, err := t.options()
			if err != nil {
				return err
			}
			index, count, sharded, err := shardOf(shardIndex, shardCount)
			if err != nil {
				return err
			}
			tracePath, cleanup, err := prepareTrace(cmd.Context(), t.traceFile, false)
			if err != nil {
				return err
			}
			defer cleanup()
			o.TracePath = tracePath
			if sharded {
				// The shards of an Indexed Job share --out: each writes
				// its one file atomically, without locking the directory.
				if err := output.CheckWritable(t.out); err != nil {
					return err
				}
				update, finish := t.countProgress("tuning")
				o.Progress = update
				evals, err := tune.RunShard(cmd.Context(), o, index, count)
				finish()
				if err != nil {
					return err
				}
				path := shardFile(t.out, index, count)
				if err := output.WriteFile(path, func(w io.Writer) error { return tune.EncodeJSONL(w, evals) }); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Shard %d of %d: %d samples evaluated, wrote %s.\n", index, count, len(evals), path)
				return nil
			}
			dir, err := output.OpenDir(t.out)
			if err != nil {
				return err
			}
			defer dir.Close()
			update, finish := t.countProgress("tuning")
			o.Progress = update
			res, err := tune.Run(cmd.Context(), o)
			finish()
			if err != nil {
				return err
			}
			return writeTune(cmd.OutOrStdout(), &t, dir, o, res, "tune")
		},
	}
	t.add(cmd.Flags())
	_ = cmd.Flags().MarkHidden("until")
	f := cmd.Flags()
	f.IntVar(&shardIndex, "shard-index", -1, "run only this shard of the samples (default: JOB_COMPLETION_INDEX when set)")
	f.IntVar(&shardCount, "shard-count", 0, "how many shards the samples are split into")
	job.add(f)
	cmd.AddCommand(newTuneMergeCommand())
	return cmd
}

func newTuneMergeCommand() *cobra.Command {
	var t tuneFlags
	var shards string
	cmd := &cobra.Command{
		Use:   "merge --shards DIR --trace FILE --out DIR",
		Short: "Finish a sharded search from its shards' files, as a single run would",
		Long: `merge reads every shard-I-of-N.jsonl of --shards, checks that together they
are exactly the samples of this search (same trace, spec, profile, cluster
and seed as the shards ran with: give merge the same flags), and runs the
rest of the search (the survivors, the refinement, the held-out check) and
writes the same outputs as 'spillway tune'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			quiet()
			if t.in.until != 0 {
				return fmt.Errorf("--until: tune runs the whole trace; search.holdout and search.firstRung set the parts it uses")
			}
			if shards == "" {
				return fmt.Errorf("--shards is required")
			}
			o, err := t.options()
			if err != nil {
				return err
			}
			files, err := filepath.Glob(filepath.Join(shards, "shard-*-of-*.jsonl"))
			if err != nil {
				return err
			}
			if len(files) == 0 {
				return fmt.Errorf("--shards %s: no shard-*-of-*.jsonl files", shards)
			}
			sort.Strings(files)
			var first []tune.Evaluation
			for _, p := range files {
				evals, err := tune.ReadJSONL(p)
				if err != nil {
					return err
				}
				first = append(first, evals...)
			}
			tracePath, cleanup, err := prepareTrace(cmd.Context(), t.traceFile, false)
			if err != nil {
				return err
			}
			defer cleanup()
			o.TracePath = tracePath
			dir, err := output.OpenDir(t.out)
			if err != nil {
				return err
			}
			defer dir.Close()
			update, finish := t.countProgress("merging")
			o.Progress = update
			res, err := tune.Resume(cmd.Context(), o, first)
			finish()
			if err != nil {
				return err
			}
			// Reported as "tune": the outputs equal a single run's.
			return writeTune(cmd.OutOrStdout(), &t, dir, o, res, "tune")
		},
	}
	t.add(cmd.Flags())
	_ = cmd.Flags().MarkHidden("until")
	cmd.Flags().StringVar(&shards, "shards", "", "directory of the shards' shard-I-of-N.jsonl files")
	return cmd
}

// writeTune writes a run's outputs into dir and prints what it found.
func writeTune(w io.Writer, t *tuneFlags, dir *output.Dir, o tune.Options, res *tune.Result, how string) error {
	title := reportTitle(t, "Spillway tune")
	if err := tune.WriteOutputs(dir.Staging(), res, title, t.traceFile, generated(how, o, t)); err != nil {
		return err
	}
	if err := dir.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(w, "Best: %s.\n", tune.Describe(res.Best))
	fmt.Fprintf(w, "  %-9s %-14s %10s %10s %8s %12s\n", "part", "configuration", "total $", "serverless", "p99 s", "unscheduled")
	for _, e := range res.Compare {
		m := e.Metrics
		fmt.Fprintf(w, "  %-9s %-14s %10.2f %10.2f %8.1f %12d\n", e.Stage, e.Name, m.TotalUSD, m.ServerlessUSD, m.P99S, m.Unscheduled)
	}
	fmt.Fprintf(w, "Wrote %s, %s, %s and the report %s.\n", filepath.Join(t.out, tune.ConfigFile),
		filepath.Join(t.out, tune.ClusterFile), filepath.Join(t.out, tune.ResultsFile), filepath.Join(t.out, "report.html"))
	return nil
}
