package main

import (
	"fmt"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

// step is one moment of the demo scenario: after waiting, these pods are
// created in order.
type step struct {
	after time.Duration
	what  string
	pods  []*v1.Pod
}

// workload describes n replicas of a pod owned by a controller.
type workload struct {
	kind, name  string
	cpu, memory string
	annotations map[string]string
	serverless  bool // tolerates virtual-kubelet nodes
}

func (w workload) pods(schedulerName string, from, to int) []*v1.Pod {
	var pods []*v1.Pod
	for i := from; i < to; i++ {
		name := fmt.Sprintf("%s-%d", w.name, i)
		p := &v1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "demo", Name: name, UID: types.UID("demo-" + name), Annotations: w.annotations},
			Spec: v1.PodSpec{
				SchedulerName: schedulerName,
				Containers: []v1.Container{{Name: "app", Image: "app", Resources: v1.ResourceRequirements{Requests: v1.ResourceList{
					v1.ResourceCPU: resource.MustParse(w.cpu), v1.ResourceMemory: resource.MustParse(w.memory),
				}}}},
			},
		}
		owner := metav1.OwnerReference{APIVersion: "apps/v1", Kind: w.kind, Name: w.name, UID: types.UID(w.kind + w.name), Controller: ptr.To(true)}
		if w.kind == "Deployment" {
			const hash = "6b8f9c7d5"
			owner.Kind, owner.Name = "ReplicaSet", w.name+"-"+hash
			p.Labels = map[string]string{"pod-template-hash": hash}
		}
		p.OwnerReferences = []metav1.OwnerReference{owner}
		if w.serverless {
			p.Spec.Tolerations = []v1.Toleration{{Key: "virtual-kubelet.io/provider", Operator: v1.TolerationOpExists, Effect: v1.TaintEffectNoSchedule}}
		}
		pods = append(pods, p)
	}
	return pods
}

// scenario is a morning on the minimal cluster: a web Deployment's steady
// base and a database, then the web tier doubles for a traffic peak while a
// batch Job runs.
func scenario(schedulerName string) []step {
	web := workload{kind: "Deployment", name: "web", cpu: "1", memory: "2Gi", serverless: true}
	db := workload{kind: "StatefulSet", name: "db", cpu: "1", memory: "4Gi", serverless: true}
	etl := workload{kind: "Job", name: "etl", cpu: "500m", memory: "1Gi", serverless: true,
		annotations: map[string]string{"spillway.dev/expected-duration": "10m"}}
	return []step{
		{0, "web: 6 replicas, db: 2 replicas", append(web.pods(schedulerName, 0, 6), db.pods(schedulerName, 0, 2)...)},
		{30 * time.Minute, "peak: web scales to 12, etl Job starts 4 pods", append(web.pods(schedulerName, 6, 12), etl.pods(schedulerName, 0, 4)...)},
	}
}
