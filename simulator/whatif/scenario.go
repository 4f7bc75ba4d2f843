// Package whatif runs one trace under several named scenarios (a cluster
// and a scheduler profile each) and collects the results for a report.
package whatif

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/inprocess"
)

// Scenario is one configuration to simulate the trace under.
type Scenario struct {
	Name        string
	Description string
	// Cluster is the cluster file; nil is the default minimal cluster.
	Cluster *cluster.File
	// Profile schedules the pods.
	Profile *config.KubeSchedulerProfile
	// SizeForPeak replaces the workers (the node groups that take
	// workloads) with as many VMs of the first worker group's instance
	// type as the trace's peak demand needs, plus PeakHeadroom, and
	// removes the virtual nodes.
	SizeForPeak bool
}

// PeakHeadroom is the capacity a peak-sized cluster has above the peak
// demand, for the pods that do not pack perfectly.
const PeakHeadroom = 0.10

// stockProfile is kube-scheduler's default profile, as a cluster runs it
// with no configuration at all.
func stockProfile() (*config.KubeSchedulerProfile, error) {
	cfg, err := inprocess.LoadConfig([]byte("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"), "kube-scheduler defaults")
	if err != nil {
		return nil, err
	}
	return inprocess.Profile(cfg, "default-scheduler")
}

// DefaultScenarios are the scenarios a what-if report compares unless told
// otherwise: the given cluster under the given (Spillway) profile, and
// four baselines under kube-scheduler's stock profile.
func DefaultScenarios(c *cluster.File, spillway *config.KubeSchedulerProfile) ([]Scenario, error) {
	stock, err := stockProfile()
	if err != nil {
		return nil, err
	}
	noVirtual := *c
	noVirtual.VirtualNodes = nil
	var serverless cluster.File = *c
	serverless.NodeGroups = nil
	for _, g := range c.NodeGroups {
		if !takesWorkloads(g) {
			serverless.NodeGroups = append(serverless.NodeGroups, g)
		}
	}
	return []Scenario{
		{Name: "spillway", Description: "the cluster with its virtual node, scheduled by the " + spillway.SchedulerName + " profile", Cluster: c, Profile: spillway},
		{Name: "default-burst", Description: "the cluster with its virtual node, scheduled by the stock kube-scheduler profile; pods tolerate the virtual node (what teams get today)", Cluster: c, Profile: stock},
		{Name: "no-virtual", Description: "the cluster without a virtual node, stock kube-scheduler: what does not fit waits", Cluster: &noVirtual, Profile: stock},
		{Name: "vms-for-peak", Description: fmt.Sprintf("VMs only, enough workers for the trace's peak demand plus %.0f%%, stock kube-scheduler", PeakHeadroom*100), Cluster: c, Profile: stock, SizeForPeak: true},
		{Name: "serverless-only", Description: "the control plane and the virtual node, no workers: every pod is serverless", Cluster: &serverless, Profile: stock},
	}, nil
}

// takesWorkloads is false for a node group tainted NoSchedule or NoExecute
// (the control plane).
func takesWorkloads(g cluster.NodeGroup) bool {
	for _, t := range g.Taints {
		if t.Effect == "NoSchedule" || t.Effect == "NoExecute" {
			return false
		}
	}
	return true
}

// sizedForPeak returns c with its worker groups replaced by one group big
// enough for the peak demand, and no virtual nodes.
func sizedForPeak(c *cluster.File, prices *cost.Catalog, bcat *backends.Catalog, peakCPUMilli, peakMemBytes int64) (*cluster.File, error) {
	built, err := c.Build(prices, bcat)
	if err != nil {
		return nil, err
	}
	var worker *cluster.Dedicated
	for i := range built.Dedicated {
		if built.Dedicated[i].Workload {
			worker = &built.Dedicated[i]
			break
		}
	}
	if worker == nil {
		return nil, fmt.Errorf("the cluster has no worker group to size for the peak")
	}
	alloc := worker.Node.Status.Allocatable
	need := math.Max(float64(peakCPUMilli)/float64(alloc.Cpu().MilliValue()), float64(peakMemBytes)/float64(alloc.Memory().Value()))
	count := max(int(math.Ceil(need*(1+PeakHeadroom))), 1)
	out := *c
	out.VirtualNodes = nil
	out.NodeGroups = nil
	added := false
	for _, g := range c.NodeGroups {
		switch {
		case !takesWorkloads(g):
			out.NodeGroups = append(out.NodeGroups, g)
		case g.Name == worker.Group && !added:
			g.Count = count
			out.NodeGroups = append(out.NodeGroups, g)
			added = true
		}
	}
	return &out, nil
}

// File is a what-if scenarios file: scenarios to compare, with paths
// relative to the file.
//
//	apiVersion: spillway.dev/v1alpha1
//	kind: WhatIf
//	scenarios:
//	- name: bigger-workers
//	  description: three m5.2xlarge workers
//	  cluster: clusters/bigger.yaml        # default: the --cluster one
//	  profile: my-scheduler-config.yaml    # default: the --profile one
//	  schedulerName: spillway              # default: spillway
//	  sizeForPeak: false
type File struct {
	APIVersion string      `json:"apiVersion"`
	Kind       string      `json:"kind"`
	Scenarios  []FileEntry `json:"scenarios"`
}

// FileEntry is one scenario of a File.
type FileEntry struct {
	Name          string `json:"name"`
	Description   string `json:"description,omitempty"`
	Cluster       string `json:"cluster,omitempty"`
	Profile       string `json:"profile,omitempty"`
	SchedulerName string `json:"schedulerName,omitempty"`
	SizeForPeak   bool   `json:"sizeForPeak,omitempty"`
}

// LoadFile reads a scenarios file. defCluster and defConfig stand in for
// an entry's missing cluster and profile.
func LoadFile(path string, defCluster *cluster.File, defConfig *config.KubeSchedulerConfiguration) ([]Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var f File
	strict, err := kjson.UnmarshalStrict(js, &f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(strict) > 0 {
		return nil, fmt.Errorf("%s: %w", path, strict[0])
	}
	if f.APIVersion != "spillway.dev/v1alpha1" || f.Kind != "WhatIf" {
		return nil, fmt.Errorf("%s: want apiVersion spillway.dev/v1alpha1 and kind WhatIf, got %q and %q", path, f.APIVersion, f.Kind)
	}
	dir := filepath.Dir(path)
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	var out []Scenario
	for i, e := range f.Scenarios {
		at := fmt.Sprintf("%s: scenarios[%d]", path, i)
		if e.Name == "" {
			return nil, fmt.Errorf("%s.name: required", at)
		}
		if err := ValidateName(e.Name); err != nil {
			return nil, fmt.Errorf("%s.name: %w", at, err)
		}
		s := Scenario{Name: e.Name, Description: e.Description, Cluster: defCluster, SizeForPeak: e.SizeForPeak}
		if e.Cluster != "" {
			if s.Cluster, err = cluster.ParseFile(rel(e.Cluster)); err != nil {
				return nil, fmt.Errorf("%s.cluster: %w", at, err)
			}
		}
		cfg := defConfig
		if e.Profile != "" {
			if cfg, err = inprocess.LoadConfigFile(rel(e.Profile)); err != nil {
				return nil, fmt.Errorf("%s.profile: %w", at, err)
			}
		}
		name := e.SchedulerName
		if name == "" {
			name = "spillway"
		}
		if s.Profile, err = inprocess.Profile(cfg, name); err != nil {
			return nil, fmt.Errorf("%s.schedulerName: %w", at, err)
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: scenarios: at least one is required", path)
	}
	return out, nil
}
