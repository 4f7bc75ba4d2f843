// Package inprocess runs kube-scheduler's real framework, built from a
// KubeSchedulerConfiguration profile, over an in-memory cluster, one pod at
// a time and deterministically. The simulator and the plugins' tests use it.
package inprocess

import (
	"fmt"
	"os"

	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	"k8s.io/kubernetes/pkg/scheduler/apis/config/scheme"
	"k8s.io/kubernetes/pkg/scheduler/apis/config/validation"

	// Registers Spillway's and scheduler-plugins' args types.
	_ "github.com/spillway-dev/spillway/plugins"
	spillwayvalidation "github.com/spillway-dev/spillway/plugins/apis/config/validation"
)

// LoadConfig decodes and validates a KubeSchedulerConfiguration exactly as
// kube-scheduler does for --config: strict decoding, defaults applied, the
// in-tree validation, and spillway-scheduler's own check that no Score
// plugin has a negative weight. Errors are prefixed with source.
func LoadConfig(data []byte, source string) (*config.KubeSchedulerConfiguration, error) {
	obj, gvk, err := scheme.Codecs.UniversalDecoder().Decode(data, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	cfg, ok := obj.(*config.KubeSchedulerConfiguration)
	if !ok {
		return nil, fmt.Errorf("%s: want a KubeSchedulerConfiguration, got %s", source, gvk)
	}
	cfg.TypeMeta.APIVersion = gvk.GroupVersion().String()
	if err := validation.ValidateKubeSchedulerConfiguration(cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if err := spillwayvalidation.ValidateScoreWeights(data); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return cfg, nil
}

// LoadConfigFile is LoadConfig on a file.
func LoadConfigFile(path string) (*config.KubeSchedulerConfiguration, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return LoadConfig(data, path)
}

// DefaultSchedulerName is the name of kube-scheduler's stock profile.
const DefaultSchedulerName = "default-scheduler"

// StockProfile is kube-scheduler's default profile, as a cluster runs it
// with no configuration at all.
func StockProfile() (*config.KubeSchedulerProfile, error) {
	cfg, err := LoadConfig([]byte("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"), "kube-scheduler defaults")
	if err != nil {
		return nil, err
	}
	return &cfg.Profiles[0], nil
}

// Profile returns the profile named schedulerName. A configuration without
// a "default-scheduler" profile (Spillway's, run as a second scheduler)
// leaves those pods to the cluster's own kube-scheduler: for that name
// Profile then returns StockProfile, the profile that scheduler runs.
func Profile(cfg *config.KubeSchedulerConfiguration, schedulerName string) (*config.KubeSchedulerProfile, error) {
	var names []string
	for i := range cfg.Profiles {
		if cfg.Profiles[i].SchedulerName == schedulerName {
			return &cfg.Profiles[i], nil
		}
		names = append(names, cfg.Profiles[i].SchedulerName)
	}
	if schedulerName == DefaultSchedulerName {
		return StockProfile()
	}
	return nil, fmt.Errorf("no profile with schedulerName %q (have %q)", schedulerName, names)
}
