// Package podprofile shares the backends.PodProfile of the pod being
// scheduled among Spillway's plugins: worked out once per scheduling cycle
// (component-helpers' PodRequests, the container scan) instead of once per
// plugin.
package podprofile

import (
	v1 "k8s.io/api/core/v1"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/spillway-dev/spillway/backends"
)

// stateKey is the cycle state key of the shared profile.
const stateKey fwk.StateKey = "spillway.dev/PodProfile"

// state is the profile of one pod; it is never changed once written.
type state struct {
	pod     *v1.Pod
	profile backends.PodProfile
}

// Clone returns the state itself: it is never changed after it is written.
func (s *state) Clone() fwk.StateData { return s }

// Of returns the profile of pod, from the cycle state when a plugin has
// already worked it out for this very pod in this cycle, else worked out
// and kept there. Call it from PreFilter and PreScore, which the framework
// runs one plugin at a time; the profile is shared and must not be changed.
func Of(cs fwk.CycleState, pod *v1.Pod) *backends.PodProfile {
	if cs != nil {
		if d, err := cs.Read(stateKey); err == nil {
			if s, ok := d.(*state); ok && s.pod == pod {
				return &s.profile
			}
		}
	}
	s := &state{pod: pod, profile: backends.NewPodProfile(pod)}
	if cs != nil {
		cs.Write(stateKey, s)
	}
	return &s.profile
}
