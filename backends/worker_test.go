package backends

import (
	"testing"

	v1 "k8s.io/api/core/v1"
)

func TestTakesWorkloads(t *testing.T) {
	for _, tc := range []struct {
		name string
		node *v1.Node
		want bool
	}{
		{"nil", nil, false},
		{"plain", &v1.Node{}, true},
		{"unschedulable", &v1.Node{Spec: v1.NodeSpec{Unschedulable: true}}, false},
		{"NoSchedule", &v1.Node{Spec: v1.NodeSpec{Taints: []v1.Taint{{Key: "node-role.kubernetes.io/control-plane", Effect: v1.TaintEffectNoSchedule}}}}, false},
		{"NoExecute", &v1.Node{Spec: v1.NodeSpec{Taints: []v1.Taint{{Key: "x", Effect: v1.TaintEffectNoExecute}}}}, false},
		{"PreferNoSchedule", &v1.Node{Spec: v1.NodeSpec{Taints: []v1.Taint{{Key: "x", Effect: v1.TaintEffectPreferNoSchedule}}}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := TakesWorkloads(tc.node); got != tc.want {
				t.Errorf("TakesWorkloads() = %v, want %v", got, tc.want)
			}
		})
	}
}
