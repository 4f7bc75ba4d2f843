package simulator

import (
	"cmp"
	"container/heap"
	"math"
	"slices"
)

// The scheduling queue follows kube-scheduler's (pkg/scheduler/backend/queue)
// defaults: a failed pod waits 1 s, doubling per failed attempt up to 10 s,
// before it may be retried; it is retried when a cluster event (a pod
// leaving, which frees capacity) may make it schedulable, or after
// flushAfter in any case.
const (
	initialBackoff = 1.0
	maxBackoff     = 10.0
	flushAfter     = 300.0
)

// queueState is where a pod is in its life.
type queueState uint8

const (
	stActive        queueState = iota // waiting to be scheduled now
	stBackoff                         // waiting for its backoff to expire
	stUnschedulable                   // waiting for a cluster event
	stBound                           // placed
	stGone                            // finished or deleted
)

// backoff is how long a pod that failed attempts times waits.
func backoff(attempts int) float64 {
	if attempts <= 0 {
		return 0
	}
	return math.Min(initialBackoff*math.Pow(2, float64(attempts-1)), maxBackoff)
}

// activeQueue orders pods as PrioritySort does: higher priority first,
// then the earlier time it entered the queue, then creation order.
type activeQueue []*simPod

func (q activeQueue) Len() int { return len(q) }
func (q activeQueue) Less(i, j int) bool {
	a, b := q[i], q[j]
	if a.priority != b.priority {
		return a.priority > b.priority
	}
	if a.enqueuedAt != b.enqueuedAt {
		return a.enqueuedAt < b.enqueuedAt
	}
	return a.seq < b.seq
}
func (q activeQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].qindex, q[j].qindex = i, j
}
func (q *activeQueue) Push(x any) {
	p := x.(*simPod)
	p.qindex = len(*q)
	*q = append(*q, p)
}
func (q *activeQueue) Pop() any {
	old := *q
	n := len(old)
	p := old[n-1]
	old[n-1] = nil
	p.qindex = -1
	*q = old[:n-1]
	return p
}

// pending is every pod not yet placed.
type pending struct {
	active        activeQueue
	unschedulable map[*simPod]struct{}
	count         int // pods in any pending state
}

func newPending() *pending {
	return &pending{unschedulable: map[*simPod]struct{}{}}
}

// activate puts p in the active queue.
func (q *pending) activate(p *simPod, now float64) {
	p.state = stActive
	p.enqueuedAt = now
	p.gen++
	heap.Push(&q.active, p)
}

// remove takes a pending pod out of whichever queue holds it.
func (q *pending) remove(p *simPod) {
	switch p.state {
	case stActive:
		heap.Remove(&q.active, p.qindex)
	case stUnschedulable:
		delete(q.unschedulable, p)
	}
	p.gen++ // its timers go stale
	q.count--
}

// unschedulableInOrder returns the unschedulable pods in creation order,
// so that moving them is deterministic.
func (q *pending) unschedulableInOrder() []*simPod {
	out := make([]*simPod, 0, len(q.unschedulable))
	for p := range q.unschedulable {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *simPod) int { return cmp.Compare(a.seq, b.seq) })
	return out
}
