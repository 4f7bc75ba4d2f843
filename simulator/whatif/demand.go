package whatif

import (
	"container/heap"
	"errors"
	"fmt"
	"io"

	v1 "k8s.io/api/core/v1"
	resourcehelper "k8s.io/component-helpers/resource"

	"github.com/spillway-dev/spillway/simulator/trace"
)

// podClass says where a pod of the trace can run at all.
type podClass uint8

const (
	// onVM: the pod fits in one worker's allocatable.
	onVM podClass = iota
	// serverlessOnly: no worker holds it, some virtual node runs it.
	serverlessOnly
	// nowhere: neither; it stays unscheduled in every scenario.
	nowhere
	classes
)

// shape is what the demand walk knows of a pod: its requests (as the
// simulator reads them) and where it can run. For a serverlessOnly pod,
// usdPerS is what its cheapest backend charges per second for its
// requests (no rounding, no minimum).
type shape struct {
	cpuMilli, memBytes int64
	class              podClass
	usdPerS            float64
}

// requests are a pod's effective requests, as the simulator and the
// scheduler compute them (init containers, overhead).
func requests(pod *v1.Pod) (cpuMilli, memBytes int64) {
	r := resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{})
	return r.Cpu().MilliValue(), r.Memory().Value()
}

// walker replays what a trace wants running, with no scheduling: every
// pod runs from the moment the trace creates it (a bare pod, a
// Deployment's or StatefulSet's replica, a Job's pod) until the trace
// deletes it, scales it away or its runFor ends. Replicas are added and
// removed as the simulator's controllers do (the newest leaves first; a
// Job counts its finished pods; a deleted replica is replaced at once).
// Memory is the pods running at once, not the trace's length.
type walker struct {
	shapeOf func(*v1.Pod) shape

	now     float64
	cpu     [classes]int64 // requests of the running pods, by class
	mem     [classes]int64
	usdPerS float64 // sum of usdPerS of the running serverlessOnly pods
	pods    int64   // pods created
	skipped int64   // pods created that fit nowhere

	// changed, when set, is told of every pod that starts (n > 0) or
	// ends (n < 0).
	changed func(s *shape, n int64)

	bare      map[string]*finitePod // bare pods by namespace/name
	workloads map[string]*wantWorkload
	ends      endHeap
	seq       int64
}

// finitePod is a running pod that ends on its own (or is deleted by name).
type finitePod struct {
	shape *shape
	end   float64 // +Inf: until deleted or the end
	gone  bool
	key   string        // a bare pod's namespace/name
	job   *wantWorkload // the Job it belongs to, or nil
}

// wantWorkload is a Deployment, StatefulSet or Job as the walk sees it.
type wantWorkload struct {
	key      string
	kind     trace.Kind
	shape    *shape
	runFor   float64
	replicas int32
	// Deployments and StatefulSets: the running replicas, oldest first,
	// as runs of one shape.
	runs []shapeRun
	// Jobs: the running pods, oldest first (finished ones are dropped
	// lazily), and how many finished.
	jobPods   []*finitePod
	jobLive   int
	succeeded int32
}

type shapeRun struct {
	shape *shape
	n     int64
}

func newWalker(shapeOf func(*v1.Pod) shape, changed func(s *shape, n int64)) *walker {
	return &walker{shapeOf: shapeOf, changed: changed, bare: map[string]*finitePod{}, workloads: map[string]*wantWorkload{}}
}

// add starts (n > 0) or ends (n < 0) |n| pods of shape s.
func (w *walker) add(s *shape, n int64) {
	w.cpu[s.class] += n * s.cpuMilli
	w.mem[s.class] += n * s.memBytes
	if s.class == serverlessOnly {
		w.usdPerS += float64(n) * s.usdPerS
	}
	if n > 0 {
		w.pods += n
		if s.class == nowhere {
			w.skipped += n
		}
	}
	if w.changed != nil {
		w.changed(s, n)
	}
}

// walk reads the whole trace (or up to until, when > 0), calling step for
// every interval [from, to) of constant demand, in order, and once more
// for the state at the end (from == to), and returns the span the
// simulator would bill: up to the last event or pod end, or until.
func (w *walker) walk(r *trace.Reader, until float64, step func(from, to float64)) (float64, error) {
	advance := func(t float64) {
		for len(w.ends) > 0 && w.ends[0].at <= t {
			e := heap.Pop(&w.ends).(endAt)
			if e.pod.gone {
				continue
			}
			if e.at > w.now {
				step(w.now, e.at)
				w.now = e.at
			}
			w.finish(e.pod)
		}
		if t > w.now {
			step(w.now, t)
			w.now = t
		}
	}
	span := 0.0
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
		if until > 0 && ev.At > until {
			break
		}
		advance(ev.At)
		span = ev.At
		if err := w.apply(ev); err != nil {
			return 0, fmt.Errorf("%s: %w", ev.Op, err)
		}
	}
	if until > 0 {
		advance(until)
		step(until, until)
		return until, nil
	}
	for len(w.ends) > 0 {
		if e := w.ends[0]; !e.pod.gone && e.at > span {
			span = e.at
		}
		advance(w.ends[0].at)
	}
	step(w.now, w.now) // the last state, if it lasts no time
	return max(span, w.now), nil
}

// finish ends a pod whose runFor is over.
func (w *walker) finish(p *finitePod) {
	p.gone = true
	w.add(p.shape, -1)
	if j := p.job; j != nil {
		j.jobLive--
		j.succeeded++
		j.compact()
		w.forgetIfComplete(j)
	} else if w.bare[p.key] == p {
		delete(w.bare, p.key)
	}
}

// forgetIfComplete drops a Job with no running pod that has run its
// completions, as the simulator does.
func (w *walker) forgetIfComplete(j *wantWorkload) {
	if j.jobLive == 0 && j.succeeded >= j.replicas {
		delete(w.workloads, j.key)
	}
}

func (w *walker) apply(ev trace.Event) error {
	switch ev.Op {
	case trace.OpCreate:
		s := w.shapeOf(ev.Pod)
		key := trace.Namespace(ev.Pod) + "/" + ev.Pod.Name
		p := &finitePod{shape: &s, key: key}
		if old, ok := w.bare[key]; ok && !old.gone {
			return fmt.Errorf("pod %s already exists", key)
		}
		w.bare[key] = p
		w.add(&s, 1)
		if ev.RunFor != nil {
			w.push(p, w.now+*ev.RunFor)
		}
	case trace.OpDelete:
		// A workload's replica deleted by name is replaced at once: no
		// change in demand. Only bare pods leave.
		if p, ok := w.bare[ev.Name]; ok {
			delete(w.bare, ev.Name)
			if !p.gone {
				p.gone = true
				w.add(p.shape, -1)
			}
		}
	case trace.OpScale:
		return w.scale(ev)
	}
	return nil
}

func (w *walker) push(p *finitePod, at float64) {
	p.end = at
	w.seq++
	heap.Push(&w.ends, endAt{at: at, seq: w.seq, pod: p})
}

func (w *walker) scale(ev trace.Event) error {
	wl, ok := w.workloads[ev.Workload]
	if !ok {
		if ev.Template == nil {
			return fmt.Errorf("workload %s appears for the first time without a template", ev.Workload)
		}
		wl = &wantWorkload{key: ev.Workload, kind: ev.Kind}
		w.workloads[ev.Workload] = wl
	} else if wl.kind != ev.Kind {
		return fmt.Errorf("workload %s is a %s, not a %s", ev.Workload, wl.kind, ev.Kind)
	}
	if ev.Template != nil {
		s := w.shapeOf(ev.Template)
		wl.shape = &s
	}
	if ev.RunFor != nil {
		wl.runFor = *ev.RunFor
	}
	wl.replicas = *ev.Replicas
	if wl.kind == trace.Job {
		w.reconcileJob(wl)
	} else {
		w.reconcileReplicas(wl)
	}
	return nil
}

// reconcileReplicas adds replicas of the current shape up to the count,
// or removes the newest.
func (w *walker) reconcileReplicas(wl *wantWorkload) {
	var have int64
	for _, r := range wl.runs {
		have += r.n
	}
	want := int64(wl.replicas)
	if n := want - have; n > 0 {
		if k := len(wl.runs); k > 0 && *wl.runs[k-1].shape == *wl.shape {
			wl.runs[k-1].n += n
		} else {
			wl.runs = append(wl.runs, shapeRun{shape: wl.shape, n: n})
		}
		w.add(wl.shape, n)
	}
	for extra := have - want; extra > 0; {
		last := &wl.runs[len(wl.runs)-1]
		n := min(extra, last.n)
		w.add(last.shape, -n)
		last.n -= n
		extra -= n
		if last.n == 0 {
			wl.runs = wl.runs[:len(wl.runs)-1]
		}
	}
}

// reconcileJob starts pods up to the completions not yet done, or removes
// the newest running ones.
func (w *walker) reconcileJob(wl *wantWorkload) {
	want := max(int(wl.replicas-wl.succeeded), 0)
	for wl.jobLive < want {
		p := &finitePod{shape: wl.shape, job: wl}
		wl.jobPods = append(wl.jobPods, p)
		wl.jobLive++
		w.add(wl.shape, 1)
		w.push(p, w.now+wl.runFor)
	}
	removed := false
	for i := len(wl.jobPods) - 1; i >= 0 && wl.jobLive > want; i-- {
		if p := wl.jobPods[i]; !p.gone {
			p.gone, removed = true, true
			wl.jobLive--
			w.add(p.shape, -1)
		}
	}
	wl.compact()
	if removed {
		w.forgetIfComplete(wl)
	}
}

// compact drops finished pods once they are most of the slice, so that
// it stays proportional to the running pods.
func (wl *wantWorkload) compact() {
	if len(wl.jobPods) < 16 || 2*wl.jobLive > len(wl.jobPods) {
		return
	}
	live := wl.jobPods[:0]
	for _, p := range wl.jobPods {
		if !p.gone {
			live = append(live, p)
		}
	}
	clear(wl.jobPods[len(live):])
	wl.jobPods = live
}

// endAt is a pod's end, ordered by time then by when it was scheduled.
type endAt struct {
	at  float64
	seq int64
	pod *finitePod
}

type endHeap []endAt

func (h endHeap) Len() int { return len(h) }
func (h endHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h endHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *endHeap) Push(x any)   { *h = append(*h, x.(endAt)) }
func (h *endHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = endAt{}
	*h = old[:len(old)-1]
	return x
}
