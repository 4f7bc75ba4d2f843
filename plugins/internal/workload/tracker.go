package workload

import (
	"slices"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
)

// maxLifetimes is how many recent lifetimes are kept per workload.
const maxLifetimes = 32

// Tracker keeps, per workload, a time series of its placed replica count
// over a sliding window and the lifetimes of its recently finished pods.
// A replica counts from the moment it is assumed on or bound to a node
// until it terminates or is deleted. Safe for concurrent use.
//
// Memory follows the workloads seen lately, not the pods ever seen: a
// bare pod (no controller) is forgotten when it ends, and a workload with
// no replica left for keepIdle is forgotten with its lifetimes (for a
// tracker with a window, keepIdle is the window: its samples would all be
// 0 by then).
type Tracker struct {
	clock    clock.PassiveClock
	window   time.Duration
	keepIdle time.Duration

	mu        sync.RWMutex
	owners    map[Key]*history
	pods      map[types.UID]placed
	lastSweep time.Time
}

type placed struct {
	key   Key
	since time.Time
}

type sample struct {
	at    time.Time
	count int
}

type history struct {
	first     time.Time
	count     int
	samples   []sample   // change points, oldest first; samples[0] may predate the window
	totals    spanTotals // time per count of the closed spans in samples
	lifetimes [maxLifetimes]time.Duration
	nLife     int           // lifetimes recorded in total (ring index = nLife % maxLifetimes)
	median    time.Duration // of the kept lifetimes, worked out when one is recorded
	idleSince time.Time     // when count last fell to 0
}

// NewTracker returns a tracker that keeps window of history per workload.
func NewTracker(c clock.PassiveClock, window time.Duration) *Tracker {
	return &Tracker{clock: c, window: window, keepIdle: window, owners: map[Key]*history{}, pods: map[types.UID]placed{}}
}

// NewLifetimeTracker returns a tracker that keeps no history of replica
// counts (Base is the count now) but keeps a workload's recent lifetimes
// for keepIdle after its last replica ends, so a workload that scales to
// zero between bursts, or a Job whose pods run one after another, still
// builds up observed lifetimes. keepIdle 0 forgets a workload as soon as
// it has no replica.
func NewLifetimeTracker(c clock.PassiveClock, keepIdle time.Duration) *Tracker {
	return &Tracker{clock: c, keepIdle: keepIdle, owners: map[Key]*history{}, pods: map[types.UID]placed{}}
}

// Observe records the current state of pod: placed (assumed or bound,
// not terminal) pods count towards their workload; a pod that has
// finished stops counting and its lifetime is recorded.
func (t *Tracker) Observe(pod *v1.Pod) {
	if pod.Spec.NodeName == "" {
		return
	}
	if pod.Status.Phase == v1.PodSucceeded || pod.Status.Phase == v1.PodFailed {
		t.Forget(pod)
		return
	}
	t.place(pod)
}

// Assume counts pod as placed before its binding is observed (the
// scheduler calls it from Reserve), so a burst of replicas scheduled in a
// row sees each other.
func (t *Tracker) Assume(pod *v1.Pod) { t.place(pod) }

// Unassume undoes Assume for a pod whose placement failed; no lifetime is
// recorded.
func (t *Tracker) Unassume(pod *v1.Pod) { t.remove(pod, false) }

// Forget records that pod is gone (deleted or finished).
func (t *Tracker) Forget(pod *v1.Pod) { t.remove(pod, true) }

func (t *Tracker) place(pod *v1.Pod) {
	key, _ := OwnerOf(pod)
	now := t.clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.pods[pod.UID]; ok {
		return
	}
	since := now
	if pod.Status.StartTime != nil && pod.Status.StartTime.Time.Before(now) {
		since = pod.Status.StartTime.Time
	}
	t.pods[pod.UID] = placed{key: key, since: since}
	h := t.owners[key]
	if h == nil || t.expired(h, now) {
		h = &history{first: now}
		t.owners[key] = h
	}
	h.set(now, h.count+1, t.window)
}

func (t *Tracker) remove(pod *v1.Pod, finished bool) {
	now := t.clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.pods[pod.UID]
	if !ok {
		return
	}
	delete(t.pods, pod.UID)
	h := t.owners[p.key]
	h.set(now, h.count-1, t.window)
	if finished {
		h.lifetimes[h.nLife%maxLifetimes] = now.Sub(p.since)
		h.nLife++
		h.median = medianOf(h.lifetimes[:min(h.nLife, maxLifetimes)])
	}
	if h.count == 0 {
		if p.key.Kind == KindPod || t.keepIdle == 0 {
			// A bare pod: nothing else will ever count towards it. With
			// nothing to keep, an idle workload goes now: what the sweep
			// would do, without its pass over every workload on every
			// pod's end.
			delete(t.owners, p.key)
		} else {
			h.idleSince = now
		}
	}
	if t.keepIdle > 0 {
		t.sweep(now)
	}
}

// sweep forgets, at most every quarter of keepIdle, the workloads that
// have had no replica for keepIdle. The caller holds t.mu.
func (t *Tracker) sweep(now time.Time) {
	if now.Sub(t.lastSweep) < t.keepIdle/4 {
		return
	}
	t.lastSweep = now
	for k, h := range t.owners {
		if t.expired(h, now) {
			delete(t.owners, k)
		}
	}
}

// expired tells whether h has had no replica for keepIdle: forgotten,
// whether or not a sweep has removed it yet.
func (t *Tracker) expired(h *history, now time.Time) bool {
	return h.count == 0 && now.Sub(h.idleSince) >= t.keepIdle
}

func (h *history) set(now time.Time, count int, window time.Duration) {
	h.count = count
	if window == 0 {
		// No history to keep: Base is the count itself (see Base).
		return
	}
	if n := len(h.samples); n > 0 && h.samples[n-1].at.Equal(now) {
		h.samples[n-1].count = count
	} else {
		if n > 0 {
			h.totals.closeSpan(h.samples[n-1], sample{at: now})
		}
		h.samples = append(h.samples, sample{at: now, count: count})
	}
	// Drop samples wholly before the window, keeping the one in force at
	// the window's start.
	start := now.Add(-window)
	drop := 0
	for drop+1 < len(h.samples) && !h.samples[drop+1].at.After(start) {
		drop++
	}
	for i := range drop {
		h.totals.dropSpan(h.samples[i], h.samples[i+1])
	}
	// Reslicing, not copying: append moves the live samples to a new
	// array once the old one's tail is used up (amortised O(1) a change).
	h.samples = h.samples[drop:]
}

// percentile is the time-weighted percentile p of the replica count over
// [start, now]: from the running totals when they can answer, else by
// scanning the samples.
func (h *history) percentile(now, start time.Time, p int32) int {
	if c, ok := h.totals.percentile(h.samples, now, start, p); ok {
		return c
	}
	return timeWeightedPercentile(h.samples, now, start, p)
}

// Count returns the workload's placed replicas now.
func (t *Tracker) Count(key Key) int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if h := t.owners[key]; h != nil {
		return h.count
	}
	return 0
}

// Base returns the time-weighted percentile p (1..100) of the workload's
// replica count over the window, and how long the workload has been
// observed (at most the window). A workload never seen has observed 0.
func (t *Tracker) Base(key Key, p int32) (base int, observed time.Duration) {
	now := t.clock.Now()
	t.mu.RLock()
	defer t.mu.RUnlock()
	h := t.owners[key]
	if h == nil || t.expired(h, now) {
		return 0, 0
	}
	if t.window == 0 {
		// The percentile over [now, now], where no span lasts: the
		// last count.
		return h.count, 0
	}
	return h.percentile(now, now.Add(-t.window), p), min(now.Sub(h.first), t.window)
}

// MedianLifetime returns the median lifetime of the workload's recently
// finished pods and how many lifetimes it is based on.
func (t *Tracker) MedianLifetime(key Key) (time.Duration, int) {
	t.mu.RLock()
	h := t.owners[key]
	// count first: the clock is read only for an idle workload.
	if h == nil || h.nLife == 0 || (h.count == 0 && t.expired(h, t.clock.Now())) {
		t.mu.RUnlock()
		return 0, 0
	}
	median, n := h.median, min(h.nLife, maxLifetimes)
	t.mu.RUnlock()
	return median, n
}

// medianOf is the median of the lifetimes (the mean of the middle two for
// an even count), sorted in a copy on the stack: worked out once per
// finished pod, so that BurstCost's question on every pod is a lookup.
func medianOf(kept []time.Duration) time.Duration {
	var lifetimes [maxLifetimes]time.Duration
	buf := lifetimes[:len(kept)]
	copy(buf, kept)
	slices.Sort(buf)
	n := len(buf)
	if n%2 == 1 {
		return buf[n/2]
	}
	return (buf[n/2-1] + buf[n/2]) / 2
}
