package backends

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func node(labels map[string]string, taints ...v1.Taint) *v1.Node {
	return &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n", Labels: labels}, Spec: v1.NodeSpec{Taints: taints}}
}

func taint(key, value string, effect v1.TaintEffect) v1.Taint {
	return v1.Taint{Key: key, Value: value, Effect: effect}
}

func vmNode() *v1.Node {
	return node(map[string]string{
		"kubernetes.io/hostname":           "vm-1",
		"kubernetes.io/os":                 "linux",
		"kubernetes.io/arch":               "amd64",
		"node.kubernetes.io/instance-type": "m5.xlarge",
		"topology.kubernetes.io/zone":      "us-east-1a",
		"kubernetes.azure.com/managed":     "true",
	})
}

func aciNode() *v1.Node {
	return node(map[string]string{
		"type":                         "virtual-kubelet",
		"kubernetes.io/role":           "agent",
		"kubernetes.io/hostname":       "virtual-node-aci-linux",
		"kubernetes.azure.com/managed": "false",
	}, taint("virtual-kubelet.io/provider", "azure", v1.TaintEffectNoSchedule))
}

// nodeCases are shared by the table test and the unindexed comparison.
func nodeCases() map[string]*v1.Node {
	return map[string]*v1.Node{
		"nil":                  nil,
		"vm":                   vmNode(),
		"vm with a type label": node(map[string]string{"type": "worker", "kubernetes.io/hostname": "vm-2"}),
		"control plane": node(map[string]string{"node-role.kubernetes.io/control-plane": ""},
			taint("node-role.kubernetes.io/control-plane", "", v1.TaintEffectNoSchedule)),
		"aci": aciNode(),
		"aci by labels only": node(map[string]string{
			"type": "virtual-kubelet", "kubernetes.azure.com/managed": "false"}),
		"aci by azure.com/aci taint": node(nil, taint("azure.com/aci", "", v1.TaintEffectNoSchedule)),
		"aci with another effect":    node(nil, taint("virtual-kubelet.io/provider", "azure", v1.TaintEffectPreferNoSchedule)),
		"mock provider": node(map[string]string{"type": "virtual-kubelet", "kubernetes.io/role": "agent"},
			taint("virtual-kubelet.io/provider", "mock", v1.TaintEffectNoSchedule)),
		"virtual-kubelet label only": node(map[string]string{"type": "virtual-kubelet"}),
		"fargate": node(map[string]string{
			"eks.amazonaws.com/compute-type": "fargate", "topology.kubernetes.io/zone": "us-east-1a"}),
		"fargate by taint": node(nil, taint("eks.amazonaws.com/compute-type", "fargate", v1.TaintEffectNoSchedule)),
		"ec2 in EKS":       node(map[string]string{"eks.amazonaws.com/compute-type": "ec2"}),
		"liqo": node(map[string]string{"liqo.io/type": "virtual-node", "type": "virtual-kubelet"},
			taint("virtual-node.liqo.io/not-allowed", "true", v1.TaintEffectNoExecute)),
		"liqo by label": node(map[string]string{"liqo.io/type": "virtual-node"}),
		"admiralty": node(map[string]string{
			"type": "virtual-kubelet", "virtual-kubelet.io/provider": "admiralty", "kubernetes.io/role": "cluster"},
			taint("virtual-kubelet.io/provider", "admiralty", v1.TaintEffectNoSchedule)),
		"interlink": node(map[string]string{
			"virtual-node.interlink/type": "virtual-kubelet", "kubernetes.io/role": "agent"},
			taint("virtual-node.interlink/no-schedule", "true", v1.TaintEffectNoSchedule)),
		"interlink by label": node(map[string]string{"virtual-node.interlink/type": "virtual-kubelet"}),
	}
}

func detectAll(c *Catalog, nodes map[string]*v1.Node) map[string]string {
	got := map[string]string{}
	for name, n := range nodes {
		got[name] = ""
		if b := c.ForNode(n); b != nil {
			got[name] = b.Name
		}
	}
	return got
}

func TestForNode(t *testing.T) {
	want := map[string]string{
		"nil":                        "",
		"vm":                         "",
		"vm with a type label":       "",
		"control plane":              "",
		"aci":                        "aci",
		"aci by labels only":         "aci",
		"aci by azure.com/aci taint": "aci",
		"aci with another effect":    "aci",
		"mock provider":              "virtual-kubelet",
		"virtual-kubelet label only": "virtual-kubelet",
		"fargate":                    "fargate",
		"fargate by taint":           "fargate",
		"ec2 in EKS":                 "",
		"liqo":                       "liqo",
		"liqo by label":              "liqo",
		"admiralty":                  "admiralty",
		"interlink":                  "interlink",
		"interlink by label":         "interlink",
	}
	if diff := cmp.Diff(want, detectAll(Default(), nodeCases())); diff != "" {
		t.Errorf("ForNode (-want +got):\n%s", diff)
	}
}

// A catalog built by hand has no index: ForNode must still agree.
func TestForNodeWithoutIndex(t *testing.T) {
	d := Default()
	bare := &Catalog{APIVersion: d.APIVersion, Kind: d.Kind, Updated: d.Updated, Backends: d.Backends}
	if diff := cmp.Diff(detectAll(d, nodeCases()), detectAll(bare, nodeCases())); diff != "" {
		t.Errorf("unindexed ForNode differs (-indexed +unindexed):\n%s", diff)
	}
	if diff := cmp.Diff(d.VirtualTaints(), bare.VirtualTaints()); diff != "" {
		t.Errorf("unindexed VirtualTaints differs (-indexed +unindexed):\n%s", diff)
	}
}

func TestForNodeOverrideBeforeGeneric(t *testing.T) {
	o, err := Load([]byte(`
apiVersion: spillway.dev/v1alpha1
kind: BackendCatalog
updated: "2026-01-02"
backends:
- name: foo
  displayName: Foo cloud
  sources: [our own tests]
  detect:
  - taint: {key: virtual-kubelet.io/provider, value: foo}
  pricing: foo
  refuses: [DaemonSetPod]
  startupSeconds: {p50: 3, p95: 9}
`), "override.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Default().WithOverrides(o)
	if err != nil {
		t.Fatal(err)
	}
	nodes := map[string]*v1.Node{
		"foo":  node(map[string]string{"type": "virtual-kubelet"}, taint("virtual-kubelet.io/provider", "foo", v1.TaintEffectNoSchedule)),
		"mock": node(map[string]string{"type": "virtual-kubelet"}, taint("virtual-kubelet.io/provider", "mock", v1.TaintEffectNoSchedule)),
		"aci":  aciNode(),
		"vm":   vmNode(),
	}
	want := map[string]string{"foo": "foo", "mock": "virtual-kubelet", "aci": "aci", "vm": ""}
	if diff := cmp.Diff(want, detectAll(c, nodes)); diff != "" {
		t.Errorf("ForNode with override (-want +got):\n%s", diff)
	}
	// Without the override, foo's node is generic.
	if b := Default().ForNode(nodes["foo"]); b == nil || b.Name != GenericBackend {
		t.Errorf("default catalog: foo node detected as %v, want %s", b, GenericBackend)
	}
}

func TestForNodeAllocs(t *testing.T) {
	c := Default()
	for name, n := range map[string]*v1.Node{"vm": vmNode(), "aci": aciNode(), "vm with a type label": nodeCases()["vm with a type label"]} {
		if allocs := testing.AllocsPerRun(200, func() { c.ForNode(n) }); allocs != 0 {
			t.Errorf("ForNode(%s) allocates %v times per call, want 0", name, allocs)
		}
	}
}

func TestVirtualTaints(t *testing.T) {
	want := []v1.Taint{
		{Key: "virtual-kubelet.io/provider", Value: "azure"},
		{Key: "azure.com/aci"},
		{Key: "eks.amazonaws.com/compute-type", Value: "fargate"},
		{Key: "virtual-node.liqo.io/not-allowed"},
		{Key: "virtual-kubelet.io/provider", Value: "admiralty"},
		{Key: "virtual-node.interlink/no-schedule"},
		{Key: "virtual-kubelet.io/provider"},
	}
	c := Default()
	got := c.VirtualTaints()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("VirtualTaints (-want +got):\n%s", diff)
	}
	got[0].Key = "changed"
	if c.VirtualTaints()[0].Key != "virtual-kubelet.io/provider" {
		t.Error("VirtualTaints returned the catalog's own slice")
	}
}

func TestToleratesVirtualTaint(t *testing.T) {
	tol := func(key string, op v1.TolerationOperator, value string, effect v1.TaintEffect) v1.Toleration {
		return v1.Toleration{Key: key, Operator: op, Value: value, Effect: effect}
	}
	cases := map[string][]v1.Toleration{
		"none":                   nil,
		"unrelated":              {tol("node-role.kubernetes.io/control-plane", v1.TolerationOpExists, "", v1.TaintEffectNoSchedule)},
		"not-ready":              {tol("node.kubernetes.io/not-ready", v1.TolerationOpExists, "", v1.TaintEffectNoExecute)},
		"everything":             {tol("", v1.TolerationOpExists, "", "")},
		"vk provider exists":     {tol("virtual-kubelet.io/provider", v1.TolerationOpExists, "", "")},
		"vk provider equal mock": {tol("virtual-kubelet.io/provider", v1.TolerationOpEqual, "mock", v1.TaintEffectNoSchedule)},
		"azure.com/aci":          {tol("azure.com/aci", "", "", v1.TaintEffectNoSchedule)},
		"liqo":                   {tol("virtual-node.liqo.io/not-allowed", v1.TolerationOpExists, "", v1.TaintEffectNoExecute)},
		"fargate wrong value":    {tol("eks.amazonaws.com/compute-type", v1.TolerationOpEqual, "ec2", "")},
		"fargate":                {tol("eks.amazonaws.com/compute-type", v1.TolerationOpEqual, "fargate", v1.TaintEffectNoSchedule)},
		"interlink":              {tol("virtual-node.interlink/no-schedule", v1.TolerationOpEqual, "true", v1.TaintEffectNoSchedule)},
	}
	want := map[string]bool{
		"none": false, "unrelated": false, "not-ready": false, "everything": true,
		"vk provider exists": true, "vk provider equal mock": true, "azure.com/aci": true, "liqo": true,
		"fargate wrong value": false, "fargate": true, "interlink": true,
	}
	c := Default()
	got := map[string]bool{}
	for name, tols := range cases {
		got[name] = c.ToleratesVirtualTaint(tols)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ToleratesVirtualTaint (-want +got):\n%s", diff)
	}
}
