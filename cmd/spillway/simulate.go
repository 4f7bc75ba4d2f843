package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/spillway-dev/spillway/internal/output"
	"github.com/spillway-dev/spillway/simulator"
	"github.com/spillway-dev/spillway/simulator/whatif"
)

func newSimulateCommand() *cobra.Command {
	var (
		in           inputs
		traceFile    string
		scheduler    string
		out          string
		decisions    bool
		traceHistory bool
	)
	cmd := &cobra.Command{
		Use:   "simulate --trace FILE --out DIR",
		Short: "Replay a trace through a scheduler profile on a virtual clock and measure cost and start latency",
		Long: `simulate replays a native trace (JSON Lines; see 'spillway help formats')
through one profile of a KubeSchedulerConfiguration file, with the real
kube-scheduler framework and Spillway's plugins, in process, event by event
on a virtual clock, over a simulated cluster (see 'spillway help formats').

It writes into --out:
  summary.json      cost (total, dedicated, serverless), pods per class,
                    start latency p50/p95/p99/max, run statistics
  timeseries.csv    one row per simulated minute: cost, VM utilisation,
                    pods per backend, pending pods
  decisions.jsonl   with --decisions: every scheduling attempt with each
                    feasible node's per-plugin scores`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			quiet()
			if traceFile == "" || out == "" {
				return fmt.Errorf("--trace and --out are required")
			}
			if err := in.load(); err != nil {
				return err
			}
			c, err := in.cluster(in.clusterFile)
			if err != nil {
				return err
			}
			prof, err := in.profile(scheduler)
			if err != nil {
				return err
			}
			if b, err := whatif.FluidOracleFile(traceFile, c, in.until.Seconds()); err == nil {
				if _, warn := whatif.DemandText(b, whatif.CapacityOf(c)); warn != "" {
					fmt.Fprintln(cmd.ErrOrStderr(), warn)
				}
			}
			f, err := os.Open(traceFile)
			if err != nil {
				return err
			}
			defer f.Close()
			dir, err := output.OpenDir(out)
			if err != nil {
				return err
			}
			defer dir.Close()
			cfg := simulator.Config{Trace: f, TraceName: traceFile, Cluster: c, Profile: prof, Seed: in.seed, Until: in.until.Seconds(), TraceHistory: traceHistory}
			var df *os.File
			if decisions {
				if df, err = os.Create(filepath.Join(dir.Staging(), simulator.DecisionsFile)); err != nil {
					return err
				}
				defer df.Close()
				cfg.Decisions = df
			}
			var done func()
			if st, err := f.Stat(); err == nil {
				cfg.Progress, done = in.progress("simulating", st.Size())
			}
			res, err := simulator.Run(cmd.Context(), cfg)
			if done != nil {
				done()
			}
			if err != nil {
				return err
			}
			if df != nil {
				if err := df.Close(); err != nil {
					return fmt.Errorf("writing %s: %w", simulator.DecisionsFile, err)
				}
			}
			if err := simulator.WriteOutputs(dir.Staging(), res); err != nil {
				return err
			}
			if err := dir.Commit(); err != nil {
				return err
			}
			printSummary(cmd.OutOrStdout(), res, out)
			return nil
		},
	}
	in.addFlags(cmd.Flags())
	cmd.Flags().StringVar(&traceFile, "trace", "", "native trace file (JSON Lines)")
	cmd.Flags().StringVar(&scheduler, "scheduler-name", "spillway", "which profile of the configuration schedules the pods")
	cmd.Flags().StringVar(&out, "out", "", "directory for summary.json, timeseries.csv and decisions.jsonl")
	cmd.Flags().BoolVar(&decisions, "decisions", false, "also write decisions.jsonl")
	cmd.Flags().BoolVar(&traceHistory, "trace-history", false, "Steadiness reads the trace's own past replica counts as its history source (the role of history.prometheus)")
	return cmd
}

func printSummary(w io.Writer, r *simulator.Result, out string) {
	s := r.Summary
	fmt.Fprintf(w, "Simulated %.0f s in %.1f s: %d pods (%d on VMs, %d serverless, %d unscheduled).\n",
		s.Sim.SimulatedS, s.Sim.WallS, s.Pods.Total, s.Pods.Dedicated, s.Pods.Serverless, s.Pods.Unscheduled)
	fmt.Fprintf(w, "Cost $%.2f (VMs $%.2f, serverless $%.2f). Start latency p50 %.1f s, p99 %.1f s, max %.1f s.\n",
		s.Cost.TotalUSD, s.Cost.DedicatedUSD, s.Cost.ServerlessUSD, s.StartLatency.P50, s.StartLatency.P99, s.StartLatency.Max)
	for _, warn := range s.Warnings {
		fmt.Fprintln(w, "warning:", warn)
	}
	fmt.Fprintf(w, "Wrote %s.\n", out)
}
