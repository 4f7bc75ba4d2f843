// Package bench holds Spillway's benchmarks (go test -bench . ./bench):
// scheduling throughput of the spillway profile against the default one,
// the per-call cost of each plugin, and the simulator's speed against the
// bare framework cycle. What they run is bench/workloads.yaml; `make bench`
// runs them interleaved and prints the table of medians and targets
// (bench/cmd/benchtable). See bench/README.md.
package bench

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"time"

	"go.yaml.in/yaml/v3"
)

// Workloads is bench/workloads.yaml.
type Workloads struct {
	// Profiles are the schedulerNames of manifests/scheduler-config.yaml
	// compared side by side; the first is the baseline.
	Profiles      []string         `yaml:"profiles"`
	Throughput    []ClusterSize    `yaml:"throughput"`
	Deployments   int              `yaml:"deployments"`
	PluginCalls   ClusterSize      `yaml:"pluginCalls"`
	RealScheduler RealScheduler    `yaml:"realScheduler"`
	Simulator     []SimulatorTrace `yaml:"simulator"`
	Targets       []Target         `yaml:"targets"`
}

// ClusterSize is an in-process cluster: a control plane, Workers VMs and
// one ACI virtual node, with LivePodsPerWorker pods bound on the workers.
type ClusterSize struct {
	Name              string `yaml:"name"`
	Workers           int    `yaml:"workers"`
	LivePodsPerWorker int    `yaml:"livePodsPerWorker"`
	// SampleNodes turns on kube-scheduler's adaptive node sampling
	// (percentageOfNodesToScore).
	SampleNodes bool `yaml:"sampleNodes"`
}

// Nodes is the cluster's node count.
func (c ClusterSize) Nodes() int { return c.Workers + 2 }

// RealScheduler is the benchmark of spillway-scheduler on a real
// kube-apiserver.
type RealScheduler struct {
	Workers int `yaml:"workers"`
	Pods    int `yaml:"pods"`
}

// SimulatorTrace is a trace the simulator replays: the Azure Functions
// files at AzureFunctions (a path prefix from the module root) or a
// generated one.
type SimulatorTrace struct {
	Name              string     `yaml:"name"`
	AzureFunctions    string     `yaml:"azureFunctions"`
	TargetConcurrency float64    `yaml:"targetConcurrency"`
	Generated         *Generated `yaml:"generated"`
	// LivePods is how many pods the bare loop keeps bound.
	LivePods int `yaml:"livePods"`
}

// Generated are the options of a synthetic trace (simulator/tracegen).
type Generated struct {
	Workloads int           `yaml:"workloads"`
	Duration  time.Duration `yaml:"duration"`
	Seed      int64         `yaml:"seed"`
	// RequestScale multiplies the pods' requests (tracegen's RequestScale);
	// 0 leaves them as drawn.
	RequestScale float64 `yaml:"requestScale"`
}

// Target is a goal checked on the medians: either the ratio of Metric
// between the benchmarks whose name has Compare.Key=Compare.Value and
// the same name with Compare.Key=Compare.Baseline, or Metric of the
// benchmarks matching Benchmark (a path.Match pattern, without the
// "Benchmark" prefix). Min and Max bound it.
type Target struct {
	What      string   `yaml:"what"`
	Compare   *Compare `yaml:"compare"`
	Benchmark string   `yaml:"benchmark"`
	Metric    string   `yaml:"metric"`
	Min       *float64 `yaml:"min"`
	Max       *float64 `yaml:"max"`
}

// Compare names the sub-benchmark key whose values are compared.
type Compare struct {
	Key      string `yaml:"key"`
	Value    string `yaml:"value"`
	Baseline string `yaml:"baseline"`
}

// ParseWorkloads decodes workloads.yaml strictly (unknown fields are
// errors) and checks it; errors name source and, where yaml knows it, the
// line.
func ParseWorkloads(data []byte, source string) (*Workloads, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var w Workloads
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if err := w.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return &w, nil
}

// LoadWorkloads reads and decodes a workloads file.
func LoadWorkloads(file string) (*Workloads, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return ParseWorkloads(data, file)
}

func (w *Workloads) validate() error {
	if len(w.Profiles) < 1 {
		return fmt.Errorf("profiles: want at least one")
	}
	if w.Deployments < 1 {
		return fmt.Errorf("deployments: want >= 1, got %d", w.Deployments)
	}
	sizes := append([]ClusterSize{w.PluginCalls}, w.Throughput...)
	for i, c := range sizes {
		field := "pluginCalls"
		if i > 0 {
			field = fmt.Sprintf("throughput[%d]", i-1)
		}
		if c.Workers < 1 || c.LivePodsPerWorker < 0 {
			return fmt.Errorf("%s: want workers >= 1 and livePodsPerWorker >= 0, got %d and %d", field, c.Workers, c.LivePodsPerWorker)
		}
	}
	if w.RealScheduler.Workers < 1 || w.RealScheduler.Pods < 1 {
		return fmt.Errorf("realScheduler: want workers and pods >= 1")
	}
	for i, s := range w.Simulator {
		field := fmt.Sprintf("simulator[%d] (%s)", i, s.Name)
		if s.Name == "" || (s.AzureFunctions == "") == (s.Generated == nil) {
			return fmt.Errorf("%s: want a name and exactly one of azureFunctions and generated", field)
		}
		if s.LivePods < 1 {
			return fmt.Errorf("%s: livePods: want >= 1, got %d", field, s.LivePods)
		}
	}
	for i, t := range w.Targets {
		field := fmt.Sprintf("targets[%d] (%s)", i, t.What)
		if (t.Compare == nil) == (t.Benchmark == "") || t.Metric == "" || (t.Min == nil && t.Max == nil) {
			return fmt.Errorf("%s: want a metric, exactly one of compare and benchmark, and min or max", field)
		}
		if _, err := path.Match(t.Benchmark, ""); err != nil {
			return fmt.Errorf("%s: benchmark: %w", field, err)
		}
	}
	return nil
}
