package simulator

import (
	v1 "k8s.io/api/core/v1"
	resourcehelper "k8s.io/component-helpers/resource"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/simulator/cluster"
)

// simPod is one pod of the simulation, from creation to its end.
type simPod struct {
	key      string // namespace/name
	pod      *v1.Pod
	seq      int64 // creation order
	priority int32
	created  float64
	runFor   *float64
	cpuMilli int64
	memBytes int64
	workload *workload
	ordinal  int                  // a StatefulSet replica's index
	profile  *backends.PodProfile // for the backends' admission; nil until needed

	// queue
	state      queueState
	qindex     int
	gen        uint32
	attempts   int
	enqueuedAt float64
	failedAt   float64

	// placement
	bound     *v1.Pod
	node      *nodeState
	boundAt   float64
	running   bool
	runningAt float64
	rate      float64 // serverless USD per second while bound
}

// nodeState is what the engine tracks of one node.
type nodeState struct {
	name      string
	dedicated *cluster.Dedicated
	virtual   *cluster.Virtual
	backend   int // index into Result.Backends for a virtual node
	cpuMilli  int64
	memBytes  int64
	pods      int
}

func newSimPod(pod *v1.Pod, key string, at float64, runFor *float64, w *workload) *simPod {
	var prio int32
	if pod.Spec.Priority != nil {
		prio = *pod.Spec.Priority
	}
	return &simPod{key: key, pod: pod, priority: prio, created: at, runFor: runFor, workload: w, qindex: -1}
}

// podRequests is the pod's effective CPU (milli-cores) and memory (bytes)
// requests, as the scheduler counts them.
func podRequests(pod *v1.Pod) (cpuMilli, memBytes int64) {
	reqs := resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{})
	return reqs.Cpu().MilliValue(), reqs.Memory().Value()
}
