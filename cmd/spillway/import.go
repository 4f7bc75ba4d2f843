package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/internal/output"
	"github.com/spillway-dev/spillway/simulator/importers/alibaba"
	"github.com/spillway-dev/spillway/simulator/importers/azurefunctions"
	"github.com/spillway-dev/spillway/simulator/trace"
	"github.com/spillway-dev/spillway/simulator/tracegen"
	"github.com/spillway-dev/spillway/simulator/whatif"
)

func newImportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Convert public workload traces (or generate one) into Spillway's native trace",
	}
	cmd.AddCommand(newImportAzureCommand(), newImportAlibabaCommand(), newImportSyntheticCommand(), newImportBatchCommand())
	return cmd
}

// withOutput runs convert with a trace writer on the file out ("-" or ""
// for stdout) and flushes it. The file is replaced only when the
// conversion succeeds (see internal/output): a failed or interrupted one
// leaves whatever was there. A signal stops the conversion at its next
// write.
func withOutput(ctx context.Context, out string, convert func(w *trace.Writer) error) error {
	run := func(dst io.Writer) error {
		w := trace.NewWriter(ctxWriter{ctx, dst})
		if err := convert(w); err != nil {
			return err
		}
		return w.Flush()
	}
	if out == "" || out == "-" {
		return run(os.Stdout)
	}
	return output.WriteFile(out, run)
}

func newImportAzureCommand() *cobra.Command {
	o := azurefunctions.DefaultOptions()
	var inv, dur, mem, out string
	cmd := &cobra.Command{
		Use:   "azure-functions [PREFIX] --out FILE",
		Short: "Convert the Azure Functions 2019 trace: apps become Deployments sized by Little's law",
		Long: `Converts one day of the Azure Functions 2019 trace (Azure Public Dataset,
CC-BY 4.0). PREFIX names the three files PREFIX-invocations.csv,
PREFIX-durations.csv and PREFIX-memory.csv, e.g.
simulator/traces/azure-functions-2019/day1-100-functions; or give each
with its flag.

Each app becomes a Deployment; its replicas in minute m are
ceil(sum over its functions of invocations(m) x average duration (s) / 60
/ target concurrency), at least --min-replicas once it has appeared. The
pod requests the app's 99th-percentile memory (rounded up to 64 Mi) and
--milli-cpu-per-mib millicores per MiB of it, and tolerates every virtual
node. See simulator/importers/azurefunctions/README.md.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				p := args[0]
				inv, dur, mem = orDefault(inv, p+"-invocations.csv"), orDefault(dur, p+"-durations.csv"), orDefault(mem, p+"-memory.csv")
			}
			if inv == "" || dur == "" || mem == "" {
				return fmt.Errorf("give PREFIX, or all of --invocations, --durations and --memory")
			}
			var st azurefunctions.Stats
			err := withOutput(cmd.Context(), out, func(w *trace.Writer) (err error) {
				st, err = azurefunctions.ConvertFiles(inv, dur, mem, o, w)
				return err
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d apps (%d functions) -> %d events; peak %d replicas in one minute.\n",
				st.AppsWritten, st.Functions, st.Events, st.PeakReplicas)
			return demandSummary(cmd, out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&inv, "invocations", "", "invocations CSV")
	f.StringVar(&dur, "durations", "", "durations CSV")
	f.StringVar(&mem, "memory", "", "memory CSV")
	f.StringVar(&out, "out", "-", "native trace to write ('-': stdout)")
	f.StringVar(&o.Namespace, "namespace", o.Namespace, "namespace of the Deployments")
	f.Float64Var(&o.TargetConcurrency, "target-concurrency", o.TargetConcurrency, "invocations one replica serves at once")
	f.Int32Var(&o.MinReplicas, "min-replicas", o.MinReplicas, "least replicas of an app once it has appeared")
	f.Float64Var(&o.MilliCPUPerMiB, "milli-cpu-per-mib", o.MilliCPUPerMiB, "CPU request in millicores per MiB of memory request")
	f.IntVar(&o.MaxApps, "max-apps", o.MaxApps, "keep only the first N apps (0: all)")
	f.IntVar(&o.StartMinute, "start-minute", o.StartMinute, "first minute of the day to convert (1..1440)")
	f.IntVar(&o.Minutes, "minutes", o.Minutes, "how many minutes to convert")
	f.Float64Var(&o.RequestScale, "request-scale", o.RequestScale, "multiplies every pod's CPU and memory requests after rounding (0 < s <= 10), to fit a big trace to a small cluster")
	f.Int32Var(&o.MaxReplicas, "max-replicas", o.MaxReplicas, "caps each app's replicas in any minute (0: no cap)")
	return cmd
}

func newImportAlibabaCommand() *cobra.Command {
	o := alibaba.DefaultOptions()
	var out string
	cmd := &cobra.Command{
		Use:   "alibaba FILE --format 2017|2018 --out FILE",
		Short: "Convert an Alibaba cluster trace batch_task CSV: tasks become Jobs",
		Long: `Converts batch_task.csv of the Alibaba cluster trace (cluster-trace-v2017
or cluster-trace-v2018): each terminated task becomes a Job of
instance_num pods that each run for end_time - start_time, requesting
plan_cpu and plan_mem (a fraction of --machine-memory-gib). Times are
shifted so that the first task starts at 0. See
simulator/importers/alibaba/README.md.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer in.Close()
			var st alibaba.Stats
			if err := withOutput(cmd.Context(), out, func(w *trace.Writer) (err error) {
				st, err = alibaba.Convert(in, args[0], o, w)
				return err
			}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d rows -> %d Jobs over %.0f s (skipped: %d not terminated, %d without instances, %d with bad times).\n",
				st.Rows, st.Jobs, st.Duration, st.SkippedStatus, st.SkippedNoInstances, st.SkippedBadTimes)
			return demandSummary(cmd, out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Format, "format", "", "trace version: 2017 or 2018 (required)")
	f.StringVar(&o.Namespace, "namespace", o.Namespace, "namespace of the Jobs")
	f.Float64Var(&o.MachineMemoryGiB, "machine-memory-gib", o.MachineMemoryGiB, "machine memory that plan_mem is a fraction of (0: 96 for 2018, 64 for 2017)")
	f.BoolVar(&o.Sorted, "sorted", o.Sorted, "the file is sorted by start_time: stream it instead of sorting in memory")
	f.Float64Var(&o.RequestScale, "request-scale", o.RequestScale, "multiplies every task's CPU and memory requests (0 < s <= 10), to fit a big trace to a small cluster")
	f.Int32Var(&o.MaxReplicas, "max-replicas", o.MaxReplicas, "caps each Job's pods (0: no cap)")
	f.StringVar(&out, "out", "-", "native trace to write ('-': stdout)")
	return cmd
}

func newImportSyntheticCommand() *cobra.Command {
	o := tracegen.DefaultOptions()
	var out string
	cmd := &cobra.Command{
		Use:   "synthetic --out FILE",
		Short: "Generate a synthetic trace: Deployments with a steady base, a daily swing and bursts, and Jobs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var n int64
			if err := withOutput(cmd.Context(), out, func(w *trace.Writer) (err error) {
				n, err = tracegen.Generate(o, w)
				return err
			}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d workloads over %s -> %d events.\n", o.Workloads, o.Duration, n)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Workloads, "workloads", o.Workloads, "number of workloads (1..100000)")
	f.DurationVar(&o.Duration, "duration", o.Duration, "simulated length, e.g. 168h (at most 744h)")
	f.Int64Var(&o.Seed, "seed", o.Seed, "random seed")
	f.Float64Var(&o.BurstPerHour, "bursts-per-hour", o.BurstPerHour, "expected bursts per workload per hour")
	f.Float64Var(&o.JobShare, "job-share", o.JobShare, "share of workloads that are Jobs (0..1)")
	f.Float64Var(&o.RequestScale, "request-scale", o.RequestScale, "multiplies every pod's CPU and memory requests (0 < s <= 10), e.g. 0.05 to fit 1,000 workloads in the minimal cluster")
	f.StringVar(&o.Namespace, "namespace", o.Namespace, "namespace of the workloads")
	f.StringVar(&out, "out", "-", "native trace to write ('-': stdout)")
	return cmd
}

func newImportBatchCommand() *cobra.Command {
	o := tracegen.DefaultBatchOptions()
	var out string
	cmd := &cobra.Command{
		Use:   "batch --out FILE",
		Short: "Generate a synthetic batch trace: Jobs of heavy-tailed durations arriving in bursts of many pods",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var n int64
			if err := withOutput(cmd.Context(), out, func(w *trace.Writer) (err error) {
				n, err = tracegen.GenerateBatch(o, w)
				return err
			}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d Jobs over %s.\n", n, o.Duration)
			return nil
		},
	}
	f := cmd.Flags()
	f.DurationVar(&o.Duration, "duration", o.Duration, "simulated length, e.g. 168h")
	f.Int64Var(&o.Seed, "seed", o.Seed, "random seed")
	f.Float64Var(&o.BurstsPerHour, "bursts-per-hour", o.BurstsPerHour, "expected bursts of Jobs per hour")
	f.IntVar(&o.JobsPerBurst, "jobs-per-burst", o.JobsPerBurst, "most Jobs one burst launches (each runs 1-16 pods)")
	f.DurationVar(&o.MinRun, "min-run", o.MinRun, "Pareto scale of a Job's duration (the shortest Job)")
	f.DurationVar(&o.MaxRun, "max-run", o.MaxRun, "cap of a Job's duration")
	f.Float64Var(&o.Alpha, "alpha", o.Alpha, "Pareto shape of the durations (smaller: heavier tail)")
	f.StringVar(&o.Namespace, "namespace", o.Namespace, "namespace of the Jobs")
	f.StringVar(&out, "out", "-", "native trace to write ('-': stdout)")
	return cmd
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// demandSummary prints the written trace's peak demand against the
// minimal cluster's workers and serverless quota, and a warning when it
// cannot fit (not for a trace written to stdout, which is not read back).
func demandSummary(cmd *cobra.Command, out string) error {
	if out == "-" {
		return nil
	}
	s, w, err := whatif.DemandOf(whatif.Options{TracePath: out, Prices: cost.Default(), Backends: backends.Default()}, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "%s (the minimal cluster: 'spillway whatif --cluster' for yours)\n", s)
	if w != "" {
		fmt.Fprintln(cmd.ErrOrStderr(), w)
	}
	return nil
}
