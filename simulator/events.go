package simulator

import "container/heap"

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

// eventHeap is a priority queue of events by (at, kind, seq).
type eventHeap []event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	a, b := &h[i], &h[j]
	if a.at != b.at {
		return a.at < b.at
	}
	if a.kind != b.kind {
		return a.kind < b.kind
	}
	return a.seq < b.seq
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(event)) }
func (h *eventHeap) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = event{}
	*h = old[:n-1]
	return e
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
	heap.Push(&t.h, e)
}

func (t *timeline) peek() (float64, bool) {
	if len(t.h) == 0 {
		return 0, false
	}
	return t.h[0].at, true
}

func (t *timeline) pop() event {
	e := heap.Pop(&t.h).(event)
	if e.kind != evFlush {
		t.real--
	}
	return e
}
