package simulator

import (
	"sort"
	"sync"
	"time"

	"github.com/spillway-dev/spillway/plugins/steadiness"
)

// TraceHistory is the simulator's history source for Steadiness, in the
// role Prometheus plays for a real scheduler: the replica counts the trace
// gave each Deployment and StatefulSet, as kube-state-metrics would have
// recorded them, up to the current simulated time. Safe for concurrent use.
type TraceHistory struct {
	keep   time.Duration
	mu     sync.RWMutex
	owners map[steadiness.Owner][]steadiness.Point
}

// TraceHistoryKeep is how much history the simulator keeps per workload:
// the longest Steadiness window it serves in full.
const TraceHistoryKeep = 7 * 24 * time.Hour

// NewTraceHistory returns an empty history that keeps keep of the past.
func NewTraceHistory(keep time.Duration) *TraceHistory {
	return &TraceHistory{keep: keep, owners: map[steadiness.Owner][]steadiness.Point{}}
}

// Record notes that owner had count replicas from at on. Points come in
// time order; a point at the time of the last one replaces it. Points
// older than keep are dropped, but the one in force keep ago.
func (h *TraceHistory) Record(owner steadiness.Owner, at time.Time, count int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	pts := h.owners[owner]
	if n := len(pts); n > 0 && !pts[n-1].At.Before(at) {
		pts[n-1].Count = count
	} else {
		pts = append(pts, steadiness.Point{At: at, Count: count})
	}
	cutoff := at.Add(-h.keep)
	drop := 0
	for drop+1 < len(pts) && !pts[drop+1].At.After(cutoff) {
		drop++
	}
	if drop > 0 {
		pts = append(pts[:0], pts[drop:]...)
	}
	h.owners[owner] = pts
}

// History returns owner's points over [start, end] (the one in force at
// start first) and whether there are any.
func (h *TraceHistory) History(owner steadiness.Owner, start, end time.Time) ([]steadiness.Point, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	pts := h.owners[owner]
	i := sort.Search(len(pts), func(i int) bool { return pts[i].At.After(start) })
	if i > 0 {
		i--
	}
	j := sort.Search(len(pts), func(j int) bool { return pts[j].At.After(end) })
	if i >= j {
		return nil, false
	}
	return append([]steadiness.Point(nil), pts[i:j]...), true
}
