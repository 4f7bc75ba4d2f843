// Command spillway-scheduler is kube-scheduler with Spillway's plugins
// (ServerlessFit, BurstCost, Steadiness) and scheduler-plugins' plugins
// registered, so one profile can combine them. It takes every kube-scheduler
// flag; see manifests/ for a ready configuration.
//
// Beyond kube-scheduler's own validation of --config, it refuses a
// negative weight of a Score plugin (kube-scheduler 1.34 accepts one and
// multiplies scores by it), with the field named.
//
// The build stamps its version into kube's version (see the Makefile):
// `spillway-scheduler --version` prints e.g. "Kubernetes v1.34.10+spillway.3f2a1c0".
//
// `spillway-scheduler --config FILE --write-config-to OUT` writes the
// effective configuration without a cluster (see allowOfflineWriteConfig).
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client metrics
	_ "k8s.io/component-base/metrics/prometheus/version"  // build info metric
	"k8s.io/component-base/version/verflag"
	"k8s.io/kubernetes/cmd/kube-scheduler/app"

	"github.com/spillway-dev/spillway/plugins"
	"github.com/spillway-dev/spillway/plugins/apis/config/validation"
)

func main() {
	os.Exit(cli.Run(newCommand()))
}

// newCommand is kube-scheduler's command with Spillway's plugins, the
// weight check of --config before the scheduler is set up, and
// --write-config-to without a cluster.
func newCommand() *cobra.Command {
	cmd := app.NewSchedulerCommand(plugins.SchedulerOptions()...)
	allowOfflineWriteConfig(cmd)
	run := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		verflag.PrintAndExitIfRequested()
		if err := checkWeights(c); err != nil {
			return err
		}
		return run(c, args)
	}
	return cmd
}

// checkWeights validates the score weights of the --config file, if any. A
// file that cannot be read or decoded is left to kube-scheduler, which
// reports it in its own words.
func checkWeights(c *cobra.Command) error {
	f := c.Flags().Lookup("config")
	if f == nil || f.Value.String() == "" {
		return nil
	}
	data, err := os.ReadFile(f.Value.String())
	if err != nil {
		return nil
	}
	if err := validation.ValidateScoreWeights(data); err != nil {
		return fmt.Errorf("%s: %w", f.Value.String(), err)
	}
	return nil
}
