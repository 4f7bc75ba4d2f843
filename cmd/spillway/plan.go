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
		onePr  bool
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
the objectives of a tune file). --counts 0 is serverless-only (no workers).
Every shape with workers is also priced at the catalog's other pricing
options of its instance type (OnDemand, Reserved, Spot: the same run,
its VMs billed at that price), so the recommendation can be "fewer
workers", "none" or "buy Reserved". The report also gives each shape's VM
CPU mean and, per instance type and pricing, the break-even utilisation at
which a worker pays for itself against the serverless backend.`,
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
				Until: t.in.until.Seconds(), Quotas: quotas, OnePricing: onePr, Progress: update}
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
			fmt.Fprintf(w, "  %-30s %10s %10s %8s %12s %7s %s\n", "workers", "total $", "serverless", "p99 s", "unscheduled", "VM CPU", "meets")
			for i, e := range p.Shapes {
				mark := ""
				if i == p.Best {
					mark = "  <- cheapest that meets the objectives"
				}
				fmt.Fprintf(w, "  %-30s %10.2f %10.2f %8.1f %12d %6.1f%% %-5v%s\n", e.Name, e.Metrics.TotalUSD, e.Metrics.ServerlessUSD, e.Metrics.P99S, e.Metrics.Unscheduled, 100*e.Metrics.VMCPUMean, e.Feasible, mark)
			}
			for _, b := range p.BreakEven {
				fmt.Fprintf(w, "  break-even: %s %s ($%.4f/h) pays for itself above %.1f%% VM utilisation against serverless ($%.4f/h for the same capacity)\n",
					b.InstanceType, b.Pricing, b.HourlyUSD, 100*b.Utilisation, b.ServerlessHourlyUSD)
			}
			fmt.Fprintf(w, "Report: %s and %s\n", filepath.Join(t.out, "report.html"), filepath.Join(t.out, "report.md"))
			return nil
		},
	}
	t.add(cmd.Flags())
	_ = cmd.Flags().MarkHidden("samples")
	_ = cmd.Flags().MarkHidden("holdout")
	cmd.Flags().StringSliceVar(&types, "instance-types", []string{"m5.large", "m5.xlarge", "m5.2xlarge"}, "worker instance types to sweep (from the price catalog)")
	cmd.Flags().IntSliceVar(&counts, "counts", []int{0, 1, 2, 3, 4, 5, 6}, "worker counts to sweep; 0 is serverless-only (the control plane and the virtual nodes)")
	cmd.Flags().BoolVar(&onePr, "only-cluster-pricing", false, "price the workers only as the cluster file does (default: also at the catalog's other options, OnDemand, Reserved, Spot)")
	cmd.Flags().IntSliceVar(&quotas, "quotas", nil, "CPU quotas (cores) of the virtual node's backend to sweep too; 0 is the backend catalog's (default: the catalog's only)")
	return cmd
}
