package simulator

import (
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/simulator/trace"
)

// replicaShape is what every replica of one template of a workload has in
// common, worked out once per template instead of once per replica: the
// pod its controller stamps out (all but the name, and a StatefulSet
// replica's own labels), where generated names start, its requests and
// its profile for the backends' admission checks.
type replicaShape struct {
	pod                *v1.Pod
	namePrefix         string // Deployment and Job: the generated name's prefix
	cpuMilli, memBytes int64
	profile            backends.PodProfile
}

// newShape builds the shape of the workload's current template, with the
// namespace, labels and owner reference its controller gives a replica.
func (w *workload) newShape() *replicaShape {
	pod := w.template.DeepCopy()
	pod.Namespace = w.namespace
	labels := make(map[string]string, len(pod.Labels)+2)
	for k, v := range pod.Labels {
		labels[k] = v
	}
	s := &replicaShape{pod: pod}
	owner := metav1.OwnerReference{APIVersion: "apps/v1", Kind: string(w.kind), Name: w.name, UID: w.uid, Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}
	switch w.kind {
	case trace.Deployment:
		rs := w.name + "-" + w.templateHash
		labels["pod-template-hash"] = w.templateHash
		owner.Kind, owner.Name, owner.UID = "ReplicaSet", rs, types.UID("sim-rs-"+w.namespace+"/"+rs)
		s.namePrefix = rs + "-"
	case trace.Job:
		owner.APIVersion = "batch/v1"
		labels["batch.kubernetes.io/job-name"] = w.name
		labels["job-name"] = w.name
		s.namePrefix = w.name + "-"
		if pod.Spec.RestartPolicy == "" {
			pod.Spec.RestartPolicy = v1.RestartPolicyNever
		}
	}
	pod.Labels = labels
	pod.OwnerReferences = []metav1.OwnerReference{owner}
	s.cpuMilli, s.memBytes = podRequests(pod)
	s.profile = backends.NewPodProfile(pod)
	return s
}
