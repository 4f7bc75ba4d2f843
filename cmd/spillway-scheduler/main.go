// Command spillway-scheduler is kube-scheduler with Spillway's plugins
// (ServerlessFit, BurstCost, Steadiness) and scheduler-plugins' plugins
// registered, so one profile can combine them. It takes every kube-scheduler
// flag; see manifests/ for a ready configuration.
//
// The build stamps its version into kube's version (see the Makefile):
// `spillway-scheduler --version` prints e.g. "Kubernetes v1.34.10+spillway.3f2a1c0".
//
// `spillway-scheduler --config FILE --write-config-to OUT` writes the
// effective configuration without a cluster (see allowOfflineWriteConfig).
package main

import (
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client metrics
	_ "k8s.io/component-base/metrics/prometheus/version"  // build info metric
	"k8s.io/kubernetes/cmd/kube-scheduler/app"

	"github.com/spillway-dev/spillway/plugins"
)

func main() {
	cmd := app.NewSchedulerCommand(plugins.SchedulerOptions()...)
	allowOfflineWriteConfig(cmd)
	os.Exit(cli.Run(cmd))
}
