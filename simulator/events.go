package simulator

// eventKind orders the engine's own events that fall at the same instant:
// pods finish (freeing capacity) before pods start, before queued pods are
// retried.
type eventKind uint8

const (
	evFinish eventKind = iota // a pod's runFor elapsed
	evStart                   // a pod's cold start ended: it runs
	evRetry                   // a pod's backoff expired after a cluster event
	evFlush                   // a pod sat unschedulable for flushAfter
)

// event is one timestamped engine event.
type event struct {
	at   float64
	kind eventKind
	seq  uint64
	pod  *simPod
	gen  uint32 // the pod's queue generation when scheduled; stale if it moved since
}

// eventHeap is a priority queue of events by (at, kind, seq), a binary
// heap kept by hand rather than by container/heap, whose interface would
// box every event pushed and popped into an allocation.
type eventHeap []event

// less orders events; seq is unique, so the order is total and the heap
// pops the same sequence whatever its layout.
func (a *event) less(b *event) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	if a.kind != b.kind {
		return a.kind < b.kind
	}
	return a.seq < b.seq
}

func (h *eventHeap) push(e event) {
	*h = append(*h, e)
	q := *h
	for j := len(q) - 1; j > 0; {
		i := (j - 1) / 2
		if !q[j].less(&q[i]) {
			break
		}
		q[i], q[j] = q[j], q[i]
		j = i
	}
}

func (h *eventHeap) pop() event {
	q := *h
	n := len(q) - 1
	top := q[0]
	q[0] = q[n]
	q[n] = event{}
	q = q[:n]
	for i := 0; ; {
		j := 2*i + 1
		if j >= n {
			break
		}
		if r := j + 1; r < n && q[r].less(&q[j]) {
			j = r
		}
		if !q[j].less(&q[i]) {
			break
		}
		q[i], q[j] = q[j], q[i]
		i = j
	}
	*h = q
	return top
}

// timeline is the engine's future: a heap of events and how many of them
// are "real" (anything but leftover flushes, which alone never keep the
// simulation going).
type timeline struct {
	h    eventHeap
	seq  uint64
	real int
}

func (t *timeline) push(e event) {
	t.seq++
	e.seq = t.seq
	if e.kind != evFlush {
		t.real++
	}
	t.h.push(e)
}

func (t *timeline) peek() (float64, bool) {
	if len(t.h) == 0 {
		return 0, false
	}
	return t.h[0].at, true
}

func (t *timeline) pop() event {
	e := t.h.pop()
	if e.kind != evFlush {
		t.real--
	}
	return e
}
