package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"

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
	)
	cmd := &cobra.Command{
		Use:   "whatif --trace FILE --out DIR",
		Short: "Compare scenarios (clusters and scheduler profiles) on one trace and write an HTML and Markdown report",
		Long: `whatif simulates one trace under several scenarios, in parallel, and
writes report.html (self-contained, with charts), report.md, and each
scenario's summary.json and timeseries.csv under DIR/<scenario>/.

Default scenarios:
  spillway         the cluster (--cluster) with its virtual node, scheduled by
                   the --scheduler-name profile of --profile
  default-burst    the same cluster, kube-scheduler's stock profile; pods that
                   tolerate the virtual node may land there (today's setup)
  no-virtual       the cluster without its virtual node, stock profile
  vms-for-peak     VMs only: as many workers as the trace's peak demand needs,
                   plus 10%, stock profile
  serverless-only  the control plane and the virtual node, no workers

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
			res, err := whatif.Run(cmd.Context(), whatif.Options{
				TracePath: tracePath, TraceName: traceFile, Scenarios: scenarios, Seed: in.seed, Until: in.until.Seconds(),
				Prices: in.prices, Backends: in.backends,
				Done: func(name string, r *simulator.Result) {
					mu.Lock()
					defer mu.Unlock()
					done++
					fmt.Fprintf(cmd.ErrOrStderr(), "[%d/%d] %s: %.1f s\n", done, len(scenarios), name, r.Summary.Sim.WallS)
				},
			})
			if err != nil {
				return err
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
			rep := report.Report{Title: title, Trace: traceFile, Scenarios: res,
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
	return cmd
}
