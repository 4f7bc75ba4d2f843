package simulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spillway-dev/spillway/plugins/steadiness"
	"github.com/spillway-dev/spillway/simulator/trace"
)

// workload is a Deployment, StatefulSet or Job of the trace.
type workload struct {
	namespace, name string
	kind            trace.Kind
	uid             types.UID
	template        *v1.Pod
	templateHash    string // of the template's spec; Deployments and StatefulSets only
	shape           *replicaShape
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
		pod, key := w.newPod(e)
		p := e.createReplica(pod, key, w)
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
	if w.kind != trace.Job { // a Job's pods carry no template hash
		data, _ := json.Marshal(t.Spec)
		h := fnv.New32a()
		h.Write(data)
		w.templateHash = fmt.Sprintf("%x", h.Sum32())
	}
	w.shape = w.newShape()
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

// newPod builds the next replica from the workload's shape, with the name
// (and, for a StatefulSet, the labels) its controller would give it, and
// returns it with its namespace/name key. The replica shares the shape's
// spec, labels and owner reference: nothing writes to them (the scheduler
// copies a pod before it binds it), and the simulator sets only the pod's
// own top-level fields.
func (w *workload) newPod(e *engine) (*v1.Pod, string) {
	pod := new(v1.Pod)
	*pod = *w.shape.pod
	var key string
	switch w.kind {
	case trace.Deployment:
		pod.Name, key = e.uniqueName(w.namespace, w.shape.namePrefix)
	case trace.StatefulSet:
		i := 0
		for w.ordinals[i] {
			i++
		}
		w.ordinals[i] = true
		w.lastOrdinal = i
		pod.Name = w.name + "-" + strconv.Itoa(i)
		key = w.namespace + "/" + pod.Name
		labels := make(map[string]string, len(w.shape.pod.Labels)+2)
		for k, v := range w.shape.pod.Labels {
			labels[k] = v
		}
		labels["apps.kubernetes.io/pod-index"] = strconv.Itoa(i)
		labels["statefulset.kubernetes.io/pod-name"] = pod.Name
		pod.Labels = labels
	case trace.Job:
		pod.Name, key = e.uniqueName(w.namespace, w.shape.namePrefix)
	}
	return pod, key
}

// uniqueName appends to prefix a 5-character random suffix from the
// alphabet Kubernetes' generated names use, drawn from the seeded
// generator, until no live pod has the name; it returns the name and the
// pod's namespace/name key.
func (e *engine) uniqueName(namespace, prefix string) (name, key string) {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	buf := make([]byte, 0, len(namespace)+1+len(prefix)+5)
	buf = append(append(append(buf, namespace...), '/'), prefix...)
	for {
		buf = buf[:len(namespace)+1+len(prefix)]
		for range 5 {
			buf = append(buf, alphabet[e.rng.IntN(len(alphabet))])
		}
		if _, taken := e.pods[string(buf)]; !taken {
			key = string(buf)
			return key[len(namespace)+1:], key
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
