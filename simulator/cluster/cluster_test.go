package cluster

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
)

func build(t *testing.T, yaml string) (*Cluster, error) {
	t.Helper()
	f, err := Parse([]byte(yaml), "c.yaml")
	if err != nil {
		return nil, err
	}
	return f.Build(cost.Default(), backends.Default())
}

func TestDefault(t *testing.T) {
	c, err := Default().Build(cost.Default(), backends.Default())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range c.Nodes() {
		names = append(names, n.Name)
	}
	if diff := cmp.Diff([]string{"control-plane", "worker-1", "worker-2", "worker-3", "virtual-node-aci-linux"}, names); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	if got, want := c.DedicatedHourlyUSD(), 4*0.192; got != want {
		t.Errorf("VMs cost %v/h, want 4 x m5.xlarge = %v/h", got, want)
	}
	w := c.Dedicated[1].Node.Status.Allocatable
	if w.Cpu().MilliValue() != 4000 || w.Memory().Value() != 16<<30 || w.Pods().Value() != 110 {
		t.Errorf("worker allocatable = %v, want 4 CPU, 16Gi, 110 pods", w)
	}
	if c.Dedicated[0].Workload || !c.Dedicated[1].Workload {
		t.Error("the tainted control plane must not count as workload capacity, the workers must")
	}
	v := c.Virtual[0]
	if v.Backend.Name != "aci" || v.Price == nil || v.Price.Name != "aci" || v.Startup.P50 <= 0 {
		t.Errorf("virtual node = backend %q price %v startup %+v", v.Backend.Name, v.Price, v.Startup)
	}
	if got := backends.Default().ForNode(v.Node); got == nil || got.Name != "aci" {
		t.Errorf("the ACI node is detected as %v", got)
	}
}

func TestErrorsNameFileLineAndField(t *testing.T) {
	head := "apiVersion: spillway.dev/v1alpha1\nkind: SimulatedCluster\n"
	tests := []struct{ name, yaml, want string }{
		{"unknown field", head + "nodeGroups:\n- name: w\n  instancetype: m5.xlarge\n", "c.yaml: yaml: unmarshal errors:\n  line 5: field instancetype not found"},
		{"duplicate key", head + "kind: X\n", "c.yaml: yaml: "},
		{"bad kind", "apiVersion: spillway.dev/v1alpha1\nkind: Cluster\nnodeGroups: [{name: w, instanceType: m5.xlarge, count: 1}]\n", `c.yaml:2: kind: want "SimulatedCluster", got "Cluster"`},
		{"no groups", head, "c.yaml: nodeGroups: at least one node group is required"},
		{"zero count", head + "nodeGroups:\n- name: w\n  instanceType: m5.xlarge\n  count: 0\n", "c.yaml:6: nodeGroups[0].count: want 1..10000, got 0"},
		{"too many nodes in all", head + "nodeGroups:\n- {name: a, instanceType: m5.xlarge, count: 10000}\n- {name: b, instanceType: m5.xlarge, count: 9999}\n- {name: c, instanceType: m5.xlarge, count: 10000}\n" + strings.Repeat("- {name: d, instanceType: m5.xlarge, count: 10000}\n", 27),
			"c.yaml:6: nodeGroups[2].count: 10000 brings the cluster to 29999 nodes or more, over 20000 in all (MaxNodes, dedicated and virtual)"},
		{"unknown instance type", head + "nodeGroups:\n- name: w\n  instanceType: m9.huge\n  count: 1\n", `c.yaml:5: nodeGroups[0].instanceType: "m9.huge" is not in the price catalog`},
		{"bad pricing", head + "pricing: onDemand\nnodeGroups: [{name: w, instanceType: m5.xlarge, count: 1}]\n", `c.yaml:3: pricing: unknown pricing option "onDemand"`},
		{"bad quantity", head + "nodeGroups:\n- name: w\n  instanceType: m5.xlarge\n  count: 1\n  allocatable: {cpu: four}\n", `c.yaml:7: nodeGroups[0].allocatable: cpu: "four"`},
		{"unknown resource", head + "nodeGroups:\n- name: w\n  instanceType: m5.xlarge\n  count: 1\n  allocatable: {gpu: 1}\n", "nodeGroups[0].allocatable: gpu: unknown resource"},
		{"bad taint", head + "nodeGroups:\n- name: w\n  instanceType: m5.xlarge\n  count: 1\n  taints: [{key: a, effect: Never}]\n", `nodeGroups[0].taints: [0].effect: want NoSchedule, PreferNoSchedule or NoExecute, got "Never"`},
		{"duplicate node", head + "nodeGroups:\n- {name: w, instanceType: m5.xlarge, count: 1}\n- {name: w, instanceType: m5.large, count: 1}\n", `nodeGroups[1].name: node "w" is also made by nodeGroups[0].name`},
		{"unknown backend", head + "nodeGroups: [{name: w, instanceType: m5.xlarge, count: 1}]\nvirtualNodes:\n- name: v\n  backend: lambda\n", `c.yaml:6: virtualNodes[0].backend: "lambda" is not in the backend catalog`},
		{"undetectable virtual node", head + "nodeGroups: [{name: w, instanceType: m5.xlarge, count: 1}]\nvirtualNodes:\n- name: v\n  backend: aci\n  labels: {}\n  taints: []\n", `virtualNodes[0]: a node with these labels and taints is detected as no backend, not "aci"`},
		// Issue 15, finding 12: absurd allocatable, and a message that says the bound.
		{"allocatable 1e9 CPU", head + "nodeGroups:\n- name: w\n  instanceType: m5.xlarge\n  count: 1\n  allocatable: {cpu: 1e9}\n", `c.yaml:7: nodeGroups[0].allocatable: cpu: 1e9 is over the bound 100k`},
		{"virtual allocatable 1Ei", head + "nodeGroups: [{name: w, instanceType: m5.xlarge, count: 1}]\nvirtualNodes:\n- name: v\n  backend: aci\n  allocatable: {memory: 1Ei}\n", `virtualNodes[0].allocatable: memory: 1Ei is over the bound 1Pi`},
		{"startup 1e9", head + "nodeGroups: [{name: w, instanceType: m5.xlarge, count: 1}]\nvirtualNodes:\n- name: v\n  backend: aci\n  startupSeconds: {p50: 1e9, p95: 1e10}\n", "virtualNodes[0].startupSeconds: want 0 <= p50 <= p95 <= 3600 (an hour), got p50 1e+09, p95 1e+10"},
		{"bad label", head + "nodeGroups:\n- name: w\n  instanceType: m5.xlarge\n  count: 1\n  labels: {\"a b\": x}\n", `c.yaml:7: nodeGroups[0].labels: key "a b"`},
		{"bad label value", head + "nodeGroups: [{name: w, instanceType: m5.xlarge, count: 1}]\nvirtualNodes:\n- name: v\n  backend: aci\n  labels: {k: \"A_B!!\"}\n", `virtualNodes[0].labels: k: value "A_B!!"`},
		{"bad startup", head + "nodeGroups: [{name: w, instanceType: m5.xlarge, count: 1}]\nvirtualNodes:\n- name: v\n  backend: aci\n  startupSeconds: {p50: 9, p95: 3}\n", "virtualNodes[0].startupSeconds: want 0 <= p50 <= p95"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := build(t, tt.yaml)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestGroupsNameTheirNodes(t *testing.T) {
	c, err := build(t, "apiVersion: spillway.dev/v1alpha1\nkind: SimulatedCluster\npricing: Reserved\nnodeGroups:\n- {name: db, instanceType: m5.xlarge, count: 1, pricing: OnDemand, labels: {pool: db}}\n- {name: w, instanceType: m5.large, count: 2, allocatable: {cpu: 1900m, memory: 7Gi}}\n")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Name, Pool, CPU string
		USD             float64
	}
	var got []row
	for _, d := range c.Dedicated {
		cpu := d.Node.Status.Allocatable[("cpu")]
		got = append(got, row{d.Node.Name, d.Node.Labels["pool"], cpu.String(), d.HourlyUSD})
	}
	m5l, _ := cost.Default().InstanceType("m5.large")
	want := []row{{"db", "db", "4", 0.192}, {"w-1", "", "1900m", m5l.HourlyUSD[cost.Reserved]}, {"w-2", "", "1900m", m5l.HourlyUSD[cost.Reserved]}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(string(DefaultYAML()))
	f.Add("apiVersion: spillway.dev/v1alpha1\nkind: SimulatedCluster\nnodeGroups:\n- {name: w, instanceType: m5.large, count: 2, allocatable: {cpu: 1900m}}\n")
	f.Add("nodeGroups: [{name: a, count: -1, taints: [{key: k, effect: NoExecute}]}]\nvirtualNodes: [{name: v, backend: fargate, startupSeconds: {p50: 1, p95: 2}}]\n")
	prices, bcat := cost.Default(), backends.Default()
	f.Fuzz(func(t *testing.T, in string) {
		file, err := Parse([]byte(in), "f.yaml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		c, err := file.Build(prices, bcat)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(c.Dedicated) == 0 {
			t.Fatal("a built cluster has no VM")
		}
		for _, n := range c.Nodes() {
			if n.Name == "" || n.Status.Allocatable.Cpu().Sign() <= 0 {
				t.Fatalf("bad node %+v", n)
			}
		}
	})
}
