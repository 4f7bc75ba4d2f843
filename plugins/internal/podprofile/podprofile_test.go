package podprofile

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/kubernetes/pkg/scheduler/framework"

	"github.com/spillway-dev/spillway/backends"
)

func pod(cpu string) *v1.Pod {
	return &v1.Pod{Spec: v1.PodSpec{Containers: []v1.Container{{
		Name:      "app",
		Resources: v1.ResourceRequirements{Requests: v1.ResourceList{v1.ResourceCPU: resource.MustParse(cpu)}},
	}}}}
}

func TestOf(t *testing.T) {
	small, large := pod("100m"), pod("2")
	tests := []struct {
		name  string
		state func() *framework.CycleState
		pod   *v1.Pod
	}{
		{"no cycle state", func() *framework.CycleState { return nil }, small},
		{"first plugin of the cycle", framework.NewCycleState, small},
		{"state holds another pod's profile", func() *framework.CycleState {
			cs := framework.NewCycleState()
			Of(cs, large)
			return cs
		}, small},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := tt.state()
			var got *backends.PodProfile
			if cs == nil {
				got = Of(nil, tt.pod)
			} else {
				got = Of(cs, tt.pod)
			}
			want := backends.NewPodProfile(tt.pod)
			if diff := cmp.Diff(&want, got, cmpopts.EquateEmpty(), cmp.AllowUnexported(backends.PodProfile{})); diff != "" {
				t.Errorf("Of() (-want +got):\n%s", diff)
			}
		})
	}
}

// The second plugin of a cycle gets the profile the first one worked out,
// not a new one.
func TestOfSharesWithinACycle(t *testing.T) {
	cs := framework.NewCycleState()
	p := pod("250m")
	first := Of(cs, p)
	if second := Of(cs, p); second != first {
		t.Error("second call worked the profile out again; want the first call's")
	}
	if other := Of(framework.NewCycleState(), p); other == first {
		t.Error("a new cycle reused the last cycle's profile")
	}
}
