// Package whatif runs one trace under several named scenarios (a cluster
// and a scheduler profile each) and collects the results for a report.
package whatif

import (
	_ "embed"
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
	// type as the trace's peak demand packs into (PeakWorkers), plus
	// PeakHeadroom, and removes the virtual nodes.
	SizeForPeak bool
}

// PeakHeadroom is the capacity a peak-sized cluster has above the peak
// instant's requests, per resource (see withHeadroom).
const PeakHeadroom = 0.10

// stockProfile is kube-scheduler's default profile, as a cluster runs it
// with no configuration at all.
func stockProfile() (*config.KubeSchedulerProfile, error) { return inprocess.StockProfile() }

// VMFirstYAML is the KubeSchedulerConfiguration of the vm-first baseline
// (profiles/vm-first.yaml): kube-scheduler's stock plugins with
// NodeResourcesFit scoring MostAllocated (cpu and memory, weight 1),
// NodeResourcesBalancedAllocation, PodTopologySpread and ImageLocality
// disabled as score plugins, and Spillway's ServerlessFit enabled
// (multiPoint). Its one profile is named vm-first.
//
//go:embed profiles/vm-first.yaml
var VMFirstYAML []byte

// VMFirstProfile is the vm-first baseline's profile, decoded, defaulted
// and validated as kube-scheduler does its --config.
func VMFirstProfile() (*config.KubeSchedulerProfile, error) {
	cfg, err := inprocess.LoadConfig(VMFirstYAML, "whatif/profiles/vm-first.yaml")
	if err != nil {
		return nil, err
	}
	return inprocess.Profile(cfg, "vm-first")
}

// DefaultScenarios are the scenarios a what-if report compares unless told
// otherwise: the given cluster under the given (Spillway) profile, the
// same cluster under the vm-first baseline (fill the VMs, then go
// serverless), and four baselines under kube-scheduler's stock profile.
func DefaultScenarios(c *cluster.File, spillway *config.KubeSchedulerProfile) ([]Scenario, error) {
	stock, err := stockProfile()
	if err != nil {
		return nil, err
	}
	vmFirst, err := VMFirstProfile()
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
		{Name: "vm-first", Description: "the cluster with its virtual node, scheduled by kube-scheduler's stock plugins packing the VMs (NodeResourcesFit MostAllocated; no spreading, balancing or image-locality scores) and Spillway's ServerlessFit filter: a pod goes serverless only when no VM has room", Cluster: c, Profile: vmFirst},
		{Name: "default-burst", Description: "the cluster with its virtual node, scheduled by the stock kube-scheduler profile; pods tolerate the virtual node (what teams get today)", Cluster: c, Profile: stock},
		{Name: "no-virtual", Description: "the cluster without a virtual node, stock kube-scheduler: what does not fit waits", Cluster: &noVirtual, Profile: stock},
		{Name: "vms-for-peak", Description: fmt.Sprintf("VMs only, enough workers for the pods the trace runs at its peak, packed, plus %.0f%%, stock kube-scheduler", PeakHeadroom*100), Cluster: c, Profile: stock, SizeForPeak: true},
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

// sizedForPeak returns c with its worker groups replaced by one group of
// the first worker group's instance type, as many VMs as withHeadroom
// gives for the trace's peak instant (PeakWorkers), and no virtual nodes;
// and the sizing.
func sizedForPeak(c *cluster.File, prices *cost.Catalog, bcat *backends.Catalog, tracePath string, until float64) (*cluster.File, PeakSize, int, error) {
	built, err := c.Build(prices, bcat)
	if err != nil {
		return nil, PeakSize{}, 0, err
	}
	var worker *cluster.Dedicated
	for i := range built.Dedicated {
		if built.Dedicated[i].Workload {
			worker = &built.Dedicated[i]
			break
		}
	}
	if worker == nil {
		return nil, PeakSize{}, 0, fmt.Errorf("the cluster has no worker group to size for the peak")
	}
	size, err := peakWorkersOf(tracePath, worker.Node.Status.Allocatable, until)
	if err != nil {
		return nil, PeakSize{}, 0, err
	}
	a := worker.Node.Status.Allocatable
	count := withHeadroom(size, a.Cpu().MilliValue(), a.Memory().Value())
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
	return &out, size, count, nil
}

// withHeadroom is how many VMs of allocCPU and allocMem a peak-sized
// cluster gets: enough for the peak's requests plus PeakHeadroom, per
// resource, and never fewer than the peak's pods pack into; at least 1.
//
//	count = max(packed, ceil((1 + PeakHeadroom) × max(CPU / allocCPU, memory / allocMem)), 1)
func withHeadroom(size PeakSize, allocCPU, allocMem int64) int {
	need := max(float64(size.CPUMilli)/float64(allocCPU), float64(size.MemBytes)/float64(allocMem))
	return max(size.Workers, int(math.Ceil(need*(1+PeakHeadroom)-1e-9)), 1)
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
