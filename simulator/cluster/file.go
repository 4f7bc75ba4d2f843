// Package cluster reads the simulator's cluster file: the dedicated node
// groups (VMs) and the virtual nodes of serverless backends, and builds
// the node objects the scheduler sees.
//
//	apiVersion: spillway.dev/v1alpha1
//	kind: SimulatedCluster
//	pricing: OnDemand            # OnDemand (default), Reserved or Spot
//	nodeGroups:
//	- name: worker               # nodes worker-1, worker-2, ... (just "worker" when count is 1)
//	  instanceType: m5.xlarge    # from the price catalog
//	  count: 3
//	  allocatable: {cpu: "4", memory: 16Gi, pods: "110"}  # default: the instance type's size, 110 pods
//	  labels: {pool: general}
//	  taints: [{key: dedicated, value: db, effect: NoSchedule}]
//	  pricing: Spot              # overrides the file's pricing for this group
//	virtualNodes:
//	- name: virtual-node-aci-linux
//	  backend: aci               # from the backend catalog
//	  allocatable: {cpu: "1000", memory: 4Ti, pods: "5000"}  # the default
//	  # labels and taints default to the backend's detection rules
//	  startupSeconds: {p50: 25, p95: 60}  # default: the backend catalog's cold start
//
// Every VM is billed for the whole simulated span, used or not.
package cluster

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// The only identity a cluster file may have.
const (
	APIVersion = "spillway.dev/v1alpha1"
	Kind       = "SimulatedCluster"
)

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the embedded default cluster file: 1 control plane
// and 3 m5.xlarge workers, and one ACI virtual node.
func DefaultYAML() []byte { return bytes.Clone(defaultYAML) }

// File is a cluster file.
type File struct {
	APIVersion   string        `yaml:"apiVersion"`
	Kind         string        `yaml:"kind"`
	Pricing      string        `yaml:"pricing,omitempty"`
	NodeGroups   []NodeGroup   `yaml:"nodeGroups"`
	VirtualNodes []VirtualNode `yaml:"virtualNodes,omitempty"`

	source string
	root   *yaml.Node
}

// NodeGroup is Count identical VMs.
type NodeGroup struct {
	Name         string            `yaml:"name"`
	InstanceType string            `yaml:"instanceType"`
	Count        int               `yaml:"count"`
	Allocatable  map[string]string `yaml:"allocatable,omitempty"`
	Labels       map[string]string `yaml:"labels,omitempty"`
	Taints       []Taint           `yaml:"taints,omitempty"`
	Pricing      string            `yaml:"pricing,omitempty"`
}

// VirtualNode is one virtual-kubelet node of a serverless backend.
type VirtualNode struct {
	Name        string            `yaml:"name"`
	Backend     string            `yaml:"backend"`
	Allocatable map[string]string `yaml:"allocatable,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Taints      []Taint           `yaml:"taints,omitempty"`
	// StartupSeconds overrides the backend's cold start (binding to
	// running), drawn from a log-normal with this median and 95th
	// percentile; equal values make it constant.
	StartupSeconds *Latency `yaml:"startupSeconds,omitempty"`
}

// Latency is a distribution of seconds by its median and 95th percentile.
type Latency struct {
	P50 float64 `yaml:"p50"`
	P95 float64 `yaml:"p95"`
}

// Taint is a node taint.
type Taint struct {
	Key    string `yaml:"key"`
	Value  string `yaml:"value,omitempty"`
	Effect string `yaml:"effect"`
}

// Parse decodes a cluster file strictly (unknown fields and duplicate keys
// are errors); source names it in errors. Parse checks the syntax only;
// Build checks the contents against the catalogs.
func Parse(data []byte, source string) (*File, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty cluster file", source)
		}
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	f.source, f.root = source, &root
	return &f, nil
}

// ParseFile reads and parses a cluster file.
func ParseFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// Default returns the parsed embedded default cluster.
func Default() *File {
	f, err := Parse(defaultYAML, "default cluster")
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return f
}

// errorf returns "source:line: path: message", the line found from path
// ("nodeGroups[1].count") in the parsed document when it can be.
func (f *File) errorf(path, format string, args ...any) error {
	loc := f.source
	if line := lineOf(f.root, path); line > 0 {
		loc = fmt.Sprintf("%s:%d", f.source, line)
	}
	return fmt.Errorf("%s: %s: %s", loc, path, fmt.Sprintf(format, args...))
}

// lineOf walks a path like "virtualNodes[0].allocatable.cpu" down the YAML
// tree and returns the line of the deepest node it reaches.
func lineOf(root *yaml.Node, path string) int {
	if root == nil {
		return 0
	}
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0 // a field missing from the top level has no line
	for _, part := range strings.Split(path, ".") {
		key, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			key = part[:i]
			fmt.Sscanf(part[i+1:len(part)-1], "%d", &idx)
		}
		next := (*yaml.Node)(nil)
		if n.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == key {
					next = n.Content[j+1]
					line = n.Content[j].Line
				}
			}
		}
		if next == nil {
			return line
		}
		n = next
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return line
			}
			n = n.Content[idx]
			line = n.Line
		}
	}
	return line
}
