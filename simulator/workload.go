package simulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/spillway-dev/spillway/plugins/steadiness"
	"github.com/spillway-dev/spillway/simulator/trace"
)

// workload is a Deployment, StatefulSet or Job of the trace.
type workload struct {
	namespace, name string
	kind            trace.Kind
	uid             types.UID
	template        *v1.Pod
	templateHash    string
	runFor          *float64
	replicas        int32
	live            []*simPod // pending or bound, in creation order
	succeeded       int32
	ordinals        map[int]bool // StatefulSet ordinals in use
	lastOrdinal     int
	published       map[string]bool // template hashes whose controller object the plugins can list
}

// scale applies a scale event: replicas are created up to the count, or
// removed in the order their controller would remove them.
func (e *engine) scale(ev trace.Event) error {
	w, ok := e.workloads[ev.Workload]
	if !ok {
		if ev.Template == nil {
			return fmt.Errorf("scale: workload %s appears for the first time without a template", ev.Workload)
		}
		ns, name, _ := trace.SplitName(ev.Workload)
		w = &workload{namespace: ns, name: name, kind: ev.Kind, uid: types.UID("sim-" + string(ev.Kind) + "-" + ev.Workload), ordinals: map[int]bool{}}
		e.workloads[ev.Workload] = w
	} else if w.kind != ev.Kind {
		return fmt.Errorf("scale: workload %s is a %s, not a %s", ev.Workload, w.kind, ev.Kind)
	}
	if ev.Template != nil {
		w.setTemplate(ev.Template)
		if err := e.publish(w); err != nil {
			return err
		}
	}
	w.runFor = ev.RunFor
	w.replicas = *ev.Replicas
	if e.history != nil && w.kind != trace.Job {
		e.history.Record(steadiness.Owner{Namespace: w.namespace, Kind: string(w.kind), Name: w.name}, e.clock.Now(), int(w.replicas))
	}
	return e.reconcile(w)
}

// reconcile does what the workload's controller does: it creates replicas
// up to the count (a Job counts its succeeded pods), or removes the extra
// ones in the order the controller would.
func (e *engine) reconcile(w *workload) error {
	want := int(w.replicas)
	if w.kind == trace.Job {
		want = max(int(w.replicas-w.succeeded), 0)
	}
	for len(w.live) < want {
		pod := w.newPod(e)
		p := e.createPod(pod, w.runFor, w)
		p.ordinal = w.lastOrdinal
	}
	if extra := len(w.live) - want; extra > 0 {
		for _, p := range w.scaleDownOrder()[:extra] {
			if err := e.end(p, false); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *workload) setTemplate(t *v1.Pod) {
	w.template = t.DeepCopy()
	data, _ := json.Marshal(t.Spec)
	h := fnv.New32a()
	h.Write(data)
	w.templateHash = fmt.Sprintf("%x", h.Sum32())
}

// publish makes the workload's controller object (the ReplicaSet of its
// current template, or the StatefulSet) visible to the plugins' listers,
// as it is in a real cluster: the default topology spread finds a pod's
// siblings through it.
func (e *engine) publish(w *workload) error {
	if w.published == nil {
		w.published = map[string]bool{}
	}
	if w.published[w.templateHash] {
		return nil
	}
	labels := map[string]string{}
	for k, v := range w.template.Labels {
		labels[k] = v
	}
	var obj runtime.Object
	switch w.kind {
	case trace.Deployment:
		labels["pod-template-hash"] = w.templateHash
		rs := w.name + "-" + w.templateHash
		obj = &appsv1.ReplicaSet{
			ObjectMeta: metav1.ObjectMeta{Namespace: w.namespace, Name: rs, UID: types.UID("sim-rs-" + w.namespace + "/" + rs), Labels: labels},
			Spec:       appsv1.ReplicaSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}},
		}
	case trace.StatefulSet:
		if len(labels) == 0 {
			return nil // the API would refuse a StatefulSet that selects nothing
		}
		obj = &appsv1.StatefulSet{
			ObjectMeta: metav1.ObjectMeta{Namespace: w.namespace, Name: w.name, UID: w.uid, Labels: labels},
			Spec:       appsv1.StatefulSetSpec{Selector: &metav1.LabelSelector{MatchLabels: labels}},
		}
	default:
		return nil
	}
	w.published[w.templateHash] = true
	return e.sched.AddObject(obj)
}

// newPod builds the next replica from the template, with the names, labels
// and owner reference its controller would give it.
func (w *workload) newPod(e *engine) *v1.Pod {
	pod := w.template.DeepCopy()
	pod.Namespace = w.namespace
	labels := map[string]string{}
	for k, v := range pod.Labels {
		labels[k] = v
	}
	owner := metav1.OwnerReference{APIVersion: "apps/v1", Kind: string(w.kind), Name: w.name, UID: w.uid, Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}
	switch w.kind {
	case trace.Deployment:
		rs := w.name + "-" + w.templateHash
		labels["pod-template-hash"] = w.templateHash
		owner.Kind, owner.Name, owner.UID = "ReplicaSet", rs, types.UID("sim-rs-"+w.namespace+"/"+rs)
		pod.Name = e.uniqueName(w.namespace, rs+"-")
	case trace.StatefulSet:
		i := 0
		for w.ordinals[i] {
			i++
		}
		w.ordinals[i] = true
		w.lastOrdinal = i
		pod.Name = fmt.Sprintf("%s-%d", w.name, i)
		labels["apps.kubernetes.io/pod-index"] = fmt.Sprint(i)
		labels["statefulset.kubernetes.io/pod-name"] = pod.Name
	case trace.Job:
		owner.APIVersion = "batch/v1"
		labels["batch.kubernetes.io/job-name"] = w.name
		labels["job-name"] = w.name
		pod.Name = e.uniqueName(w.namespace, w.name+"-")
		if pod.Spec.RestartPolicy == "" {
			pod.Spec.RestartPolicy = v1.RestartPolicyNever
		}
	}
	pod.Labels = labels
	pod.OwnerReferences = []metav1.OwnerReference{owner}
	return pod
}

// uniqueName appends to prefix a 5-character random suffix from the
// alphabet Kubernetes' generated names use, drawn from the seeded
// generator, until no live pod has the name.
func (e *engine) uniqueName(namespace, prefix string) string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	for {
		var b [5]byte
		for i := range b {
			b[i] = alphabet[e.rng.IntN(len(alphabet))]
		}
		name := prefix + string(b[:])
		if _, taken := e.pods[namespace+"/"+name]; !taken {
			return name
		}
	}
}

// scaleDownOrder ranks the live replicas, the first to remove first. A
// StatefulSet removes the highest ordinal. A ReplicaSet or Job controller
// removes (pkg/controller ActivePods ordering) unplaced pods before placed
// ones, starting before running, then the most recently started, then the
// newest: so the burst leaves first.
func (w *workload) scaleDownOrder() []*simPod {
	out := slices.Clone(w.live)
	if w.kind == trace.StatefulSet {
		slices.SortFunc(out, func(a, b *simPod) int { return cmp.Compare(b.ordinal, a.ordinal) })
		return out
	}
	rank := func(p *simPod) int {
		switch {
		case p.state != stBound:
			return 0
		case !p.running:
			return 1
		}
		return 2
	}
	slices.SortFunc(out, func(a, b *simPod) int {
		if c := cmp.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		if a.running && b.running && a.runningAt != b.runningAt {
			return cmp.Compare(b.runningAt, a.runningAt)
		}
		return cmp.Compare(b.seq, a.seq)
	})
	return out
}

// forget drops an ended pod from the workload.
func (w *workload) forget(p *simPod, finished bool) {
	w.live = slices.DeleteFunc(w.live, func(q *simPod) bool { return q == p })
	if w.kind == trace.StatefulSet {
		delete(w.ordinals, p.ordinal)
	}
	if finished && w.kind == trace.Job {
		w.succeeded++
	}
}
