package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/spillway-dev/spillway/internal/output"
	"github.com/spillway-dev/spillway/simulator"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/report"
	"github.com/spillway-dev/spillway/simulator/whatif"
)

func newWhatifCommand() *cobra.Command {
	var (
		in            inputs
		traceFile     string
		scheduler     string
		out           string
		scenariosFile string
		only          []string
		title         string
		noDefaults    bool
		p99           time.Duration
		maxUnsched    int64
	)
	cmd := &cobra.Command{
		Use:   "whatif --trace FILE --out DIR",
		Short: "Compare scenarios (clusters and scheduler profiles) on one trace and write an HTML and Markdown report",
		Long: `whatif simulates one trace under several scenarios, in parallel, and
writes report.html (self-contained, with charts), report.md, summary.json and each
scenario's summary.json and timeseries.csv under DIR/<scenario>/.

Default scenarios:
  spillway         the cluster (--cluster) with its virtual node, scheduled by
                   the --scheduler-name profile of --profile
  vm-first         the same cluster, kube-scheduler's stock plugins packing
                   the VMs (MostAllocated; no spreading, balancing or image
                   locality) with Spillway's ServerlessFit filter: fill the
                   VMs first, then go serverless
  default-burst    the same cluster, kube-scheduler's stock profile; pods that
                   tolerate the virtual node may land there (today's setup)
  no-virtual       the cluster without its virtual node, stock profile
  vms-for-peak     VMs only: as many workers as the pods the trace runs at its
                   peak instant pack into (or their requests plus 10%, if
                   more), sized from the trace alone; stock profile
  serverless-only  the control plane and the virtual node, no workers

The report also shows the fluid-oracle lower bound of the --cluster (its
VMs for the whole span, the demand above its workers' allocatable at the
cheapest serverless rates, perfect packing, no waiting or cold start) and
each scenario's ratio to min(bound, serverless-only) ("vs bound").
Outputs: report.html, report.md, summary.json (verdict, bound, every
scenario's totals and ratio), and DIR/<scenario>/.

The verdict names the cheapest scenario that meets the objectives
(--p99-start-latency, default 5m; --max-unscheduled, default: the fewest
pods any scenario leaves unscheduled plus 1% of the pods) and says which
objective each other scenario misses; a scenario that misses one is never
called the cheapest.

--scenarios FILE adds scenarios of your own (kind WhatIf; see
'spillway help formats'); --no-defaults keeps only those; --only picks
scenarios by name. DIR then holds only the scenarios of this run: the
folders of an earlier run's other scenarios are removed (only the files
spillway wrote; see 'spillway help formats').`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			quiet()
			if traceFile == "" || out == "" {
				return fmt.Errorf("--trace and --out are required")
			}
			if err := in.load(); err != nil {
				return err
			}
			cf := cluster.Default()
			if in.clusterFile != "" {
				var err error
				if cf, err = cluster.ParseFile(in.clusterFile); err != nil {
					return err
				}
			}
			prof, err := in.profile(scheduler)
			if err != nil {
				return err
			}
			var scenarios []whatif.Scenario
			if !noDefaults {
				if scenarios, err = whatif.DefaultScenarios(cf, prof); err != nil {
					return err
				}
			}
			if scenariosFile != "" {
				more, err := whatif.LoadFile(scenariosFile, cf, in.schedulerCfg)
				if err != nil {
					return err
				}
				scenarios = append(scenarios, more...)
			}
			if len(only) > 0 {
				var picked []whatif.Scenario
				for _, name := range only {
					found := false
					for _, s := range scenarios {
						if s.Name == name {
							picked, found = append(picked, s), true
						}
					}
					if !found {
						return fmt.Errorf("--only: no scenario is named %q", name)
					}
				}
				scenarios = picked
			}
			for _, s := range scenarios {
				if err := whatif.ValidateName(s.Name); err != nil {
					return err
				}
			}
			if p99 < 0 {
				return fmt.Errorf("--p99-start-latency: want a duration >= 0 (0: no objective), got %s", p99)
			}
			tracePath, cleanup, err := prepareTrace(cmd.Context(), traceFile, true)
			if err != nil {
				return err
			}
			defer cleanup()
			dir, err := output.OpenDir(out)
			if err != nil {
				return err
			}
			defer dir.Close()
			var mu sync.Mutex
			done := 0
			opts := whatif.Options{
				TracePath: tracePath, TraceName: traceFile, Scenarios: scenarios, Seed: in.seed, Until: in.until.Seconds(),
				Prices: in.prices, Backends: in.backends,
				Done: func(name string, r *simulator.Result) {
					mu.Lock()
					defer mu.Unlock()
					done++
					fmt.Fprintf(cmd.ErrOrStderr(), "[%d/%d] %s: %.1f s\n", done, len(scenarios), name, r.Summary.Sim.WallS)
				},
			}
			res, err := whatif.Run(cmd.Context(), opts)
			if err != nil {
				return err
			}
			bound, err := whatif.OracleBound(opts, cf)
			if err != nil {
				return err
			}
			if built, err := cf.Build(in.prices, in.backends); err == nil {
				if _, warn := whatif.DemandText(*bound, whatif.CapacityOf(built)); warn != "" {
					fmt.Fprintln(cmd.ErrOrStderr(), warn)
				}
			}
			for _, s := range res {
				r := s.Result
				if err := simulator.WriteOutputs(filepath.Join(dir.Staging(), s.Name), &r); err != nil {
					return err
				}
			}
			if title == "" {
				title = "Spillway what-if: " + strings.TrimSuffix(filepath.Base(traceFile), filepath.Ext(traceFile))
			}
			obj := report.Objectives{P99StartLatencyS: p99.Seconds(), MaxUnscheduled: maxUnsched}
			rep := report.Report{Title: title, Trace: traceFile, Scenarios: res, Bound: bound, Objectives: &obj,
				Generated: fmt.Sprintf("spillway whatif, seed %d, profile %s of %s, prices of %s", in.seed, scheduler, in.schedulerCfgAt, in.prices.Updated)}
			if err := report.WriteFiles(dir.Staging(), rep); err != nil {
				return err
			}
			if err := dir.Commit(); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if err := report.ComparisonTable(w, rep); err != nil {
				return err
			}
			fmt.Fprintf(w, "\n%s\n", report.Verdict(rep))
			fmt.Fprintf(w, "\nReport: %s (open in a browser) and %s\n", filepath.Join(out, "report.html"), filepath.Join(out, "report.md"))
			return nil
		},
	}
	in.addFlags(cmd.Flags())
	f := cmd.Flags()
	f.StringVar(&traceFile, "trace", "", "native trace file (JSON Lines)")
	f.StringVar(&scheduler, "scheduler-name", "spillway", "the profile of --profile that the spillway scenario uses")
	f.StringVar(&out, "out", "", "directory for the report and each scenario's outputs")
	f.StringVar(&scenariosFile, "scenarios", "", "file of extra scenarios (kind WhatIf)")
	f.BoolVar(&noDefaults, "no-defaults", false, "run only the scenarios of --scenarios")
	f.StringSliceVar(&only, "only", nil, "run only these scenarios, in this order (comma-separated names)")
	f.StringVar(&title, "title", "", "report title (default: from the trace file name)")
	f.DurationVar(&p99, "p99-start-latency", 5*time.Minute, "objective: a scenario whose p99 start latency is above this is never the verdict's cheapest (0: no objective)")
	f.Int64Var(&maxUnsched, "max-unscheduled", -1, "objective: at most this many pods never placed (negative: the fewest any scenario leaves plus 1% of the pods)")
	return cmd
}
