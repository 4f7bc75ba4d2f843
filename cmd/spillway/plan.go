package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/spillway-dev/spillway/internal/output"
	"github.com/spillway-dev/spillway/simulator/report"
	"github.com/spillway-dev/spillway/simulator/tune"
)

func newPlanCommand() *cobra.Command {
	var (
		t      tuneFlags
		types  []string
		counts []int
		quotas []int
	)
	cmd := &cobra.Command{
		Use:   "plan --trace FILE --out DIR",
		Short: "Capacity planning: cost and start latency of every worker count and size on a trace, and the cheapest shape that meets the objectives",
		Long: `plan resizes the first worker group of the cluster (--cluster; default the
minimal one) to every --instance-types by every --counts, simulates the
trace under the --scheduler-name profile of --profile for each shape in
parallel (and, with --quotas, for each CPU quota of the virtual node's
backend, enforced by the simulator and by the plugins), and writes plan.json, report.html and report.md into --out: a
table and charts of cost and p99 start latency per shape, the cheapest one
that meets the objectives marked (objective flags as for tune; --spec reads
the objectives of a tune file).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			quiet()
			o, err := t.options()
			if err != nil {
				return err
			}
			tracePath, cleanup, err := prepareTrace(cmd.Context(), t.traceFile, false)
			if err != nil {
				return err
			}
			defer cleanup()
			dir, err := output.OpenDir(t.out)
			if err != nil {
				return err
			}
			defer dir.Close()
			update, finish := t.countProgress("planning")
			po := tune.PlanOptions{TracePath: tracePath, Config: o.Config, SchedulerName: o.Spec.SchedulerName,
				Cluster: o.Cluster, InstanceTypes: types, Counts: counts, Objectives: o.Spec.Objectives,
				Prices: o.Prices, Backends: o.Backends, Seed: o.Seed, Parallel: o.Parallel,
				Until: t.in.until.Seconds(), Quotas: quotas, Progress: update}
			p, err := tune.RunPlan(cmd.Context(), po)
			finish()
			if err != nil {
				return err
			}
			js, err := json.MarshalIndent(p, "", "  ")
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir.Staging(), "plan.json"), append(js, '\n'), 0o644); err != nil {
				return err
			}
			rep := tune.PlanReport(p, po, reportTitle(&t, "Spillway plan"), t.traceFile, generated("plan", o, &t))
			if err := report.WriteFiles(dir.Staging(), rep); err != nil {
				return err
			}
			if err := dir.Commit(); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "  %-18s %10s %10s %8s %12s %s\n", "workers", "total $", "serverless", "p99 s", "unscheduled", "meets")
			for i, e := range p.Shapes {
				mark := ""
				if i == p.Best {
					mark = "  <- cheapest that meets the objectives"
				}
				fmt.Fprintf(w, "  %-18s %10.2f %10.2f %8.1f %12d %-5v%s\n", e.Name, e.Metrics.TotalUSD, e.Metrics.ServerlessUSD, e.Metrics.P99S, e.Metrics.Unscheduled, e.Feasible, mark)
			}
			fmt.Fprintf(w, "Report: %s and %s\n", filepath.Join(t.out, "report.html"), filepath.Join(t.out, "report.md"))
			return nil
		},
	}
	t.add(cmd.Flags())
	_ = cmd.Flags().MarkHidden("samples")
	_ = cmd.Flags().MarkHidden("holdout")
	cmd.Flags().StringSliceVar(&types, "instance-types", []string{"m5.large", "m5.xlarge", "m5.2xlarge"}, "worker instance types to sweep (from the price catalog)")
	cmd.Flags().IntSliceVar(&counts, "counts", []int{1, 2, 3, 4, 5, 6}, "worker counts to sweep")
	cmd.Flags().IntSliceVar(&quotas, "quotas", nil, "CPU quotas (cores) of the virtual node's backend to sweep too; 0 is the backend catalog's (default: the catalog's only)")
	return cmd
}
