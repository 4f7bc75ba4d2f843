// Package workload tracks, per owning workload, how many replicas are
// placed over time and how long finished pods lived. Both Spillway scoring
// plugins read it; the scheduler feeds it from its pod informer and the
// simulator feeds it directly.
package workload

import (
	"strings"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Workload kinds the plugins treat specially.
const (
	KindDeployment  = "Deployment"
	KindReplicaSet  = "ReplicaSet"
	KindStatefulSet = "StatefulSet"
	KindDaemonSet   = "DaemonSet"
	KindJob         = "Job"
	KindPod         = "Pod"
)

// Key names a workload: the controller that owns a pod, with ReplicaSets
// folded into their Deployment.
type Key struct {
	Namespace string
	Kind      string
	Name      string
}

// String returns "Kind/namespace/name".
func (k Key) String() string { return k.Kind + "/" + k.Namespace + "/" + k.Name }

// OwnerOf returns the workload that owns pod. A ReplicaSet whose name ends
// in the pod's pod-template-hash label is reported as its Deployment, the
// way kubectl names it. A pod without a controller is its own workload
// (Kind "Pod"), reported with ok false.
func OwnerOf(pod *v1.Pod) (key Key, ok bool) {
	ref := metav1.GetControllerOfNoCopy(pod)
	if ref == nil {
		return Key{Namespace: pod.Namespace, Kind: KindPod, Name: pod.Name}, false
	}
	key = Key{Namespace: pod.Namespace, Kind: ref.Kind, Name: ref.Name}
	if ref.Kind == KindReplicaSet {
		if hash := pod.Labels["pod-template-hash"]; hash != "" && strings.HasSuffix(ref.Name, "-"+hash) {
			key.Kind = KindDeployment
			key.Name = strings.TrimSuffix(ref.Name, "-"+hash)
		}
	}
	return key, true
}
