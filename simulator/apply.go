package simulator

import (
	"context"
	"fmt"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spillway-dev/spillway/simulator/trace"
)

// apply carries out one trace event. Errors are about the event; the
// caller adds the trace's file and line.
func (e *engine) apply(ctx context.Context, ev trace.Event) error {
	switch ev.Op {
	case trace.OpCreate:
		pod := ev.Pod.DeepCopy()
		pod.Namespace = trace.Namespace(pod)
		key := podKey(pod)
		if _, dup := e.pods[key]; dup {
			return fmt.Errorf("create: pod %s already exists", key)
		}
		if err := e.publishOwnerOf(pod); err != nil {
			return err
		}
		p := newSimPod(pod, podKey(pod), e.now, ev.RunFor, nil)
		p.cpuMilli, p.memBytes = podRequests(pod)
		e.createPod(p)
	case trace.OpDelete:
		p, ok := e.pods[ev.Name]
		if !ok {
			return fmt.Errorf("delete: no pod %s is alive (never created, deleted or finished)", ev.Name)
		}
		if err := e.end(p, false); err != nil {
			return err
		}
		if w := p.workload; w != nil {
			return e.reconcile(w) // its controller replaces it
		}
	case trace.OpScale:
		return e.scale(ev)
	}
	return nil
}

// createReplica adds a replica that newPod built, keyed key, of w's
// current shape.
func (e *engine) createReplica(pod *v1.Pod, key string, w *workload) *simPod {
	p := newSimPod(pod, key, e.now, w.runFor, w)
	p.cpuMilli, p.memBytes, p.profile = w.shape.cpuMilli, w.shape.memBytes, &w.shape.profile
	w.live = append(w.live, p)
	e.createPod(p)
	return p
}

// createPod numbers a new pod and adds it to the cluster and the
// scheduling queue.
func (e *engine) createPod(p *simPod) {
	e.podSeq++
	p.seq = e.podSeq
	pod := p.pod
	pod.CreationTimestamp = metav1.NewTime(e.clock.Now())
	if pod.UID == "" {
		pod.UID = types.UID("sim-" + strconv.FormatInt(e.podSeq, 10))
	}
	pod.Spec.NodeName = ""
	pod.Status = v1.PodStatus{Phase: v1.PodPending}
	e.pods[p.key] = p
	e.queue.count++
	e.acct.created(p)
	e.queue.activate(p, e.now)
}

// publishOwnerOf makes the ReplicaSet or StatefulSet that a created pod
// names as its controller visible to the plugins' listers (selecting the
// pod's labels), as it would exist in a real cluster; once per owner.
func (e *engine) publishOwnerOf(pod *v1.Pod) error {
	ref := metav1.GetControllerOfNoCopy(pod)
	if ref == nil || (ref.Kind != "ReplicaSet" && ref.Kind != "StatefulSet") || len(pod.Labels) == 0 {
		return nil
	}
	key := pod.Namespace + "/" + ref.Kind + "/" + ref.Name
	if e.owners[key] {
		return nil
	}
	e.owners[key] = true
	meta := metav1.ObjectMeta{Namespace: pod.Namespace, Name: ref.Name, UID: ref.UID, Labels: pod.Labels}
	sel := &metav1.LabelSelector{MatchLabels: pod.Labels}
	if ref.Kind == "ReplicaSet" {
		return e.sched.AddObject(&appsv1.ReplicaSet{ObjectMeta: meta, Spec: appsv1.ReplicaSetSpec{Selector: sel}})
	}
	return e.sched.AddObject(&appsv1.StatefulSet{ObjectMeta: meta, Spec: appsv1.StatefulSetSpec{Selector: sel}})
}
