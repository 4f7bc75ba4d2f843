package inprocess

import (
	v1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework"
)

// noNominations is the pod nominator of a scheduler that never preempts:
// no pod is ever nominated to a node.
type noNominations struct{}

var _ framework.PodNominator = noNominations{}

func (noNominations) AddNominatedPod(klog.Logger, fwk.PodInfo, *framework.NominatingInfo) {}
func (noNominations) DeleteNominatedPodIfExists(*v1.Pod)                                  {}
func (noNominations) UpdateNominatedPod(klog.Logger, *v1.Pod, fwk.PodInfo)                {}
func (noNominations) NominatedPodsForNode(string) []fwk.PodInfo                           { return nil }
