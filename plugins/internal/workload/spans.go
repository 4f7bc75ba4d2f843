package workload

import "time"

// maxTrackedCount is the largest replica count whose time the history adds
// up as it changes (one duration per count up to it). A workload that ever
// has more replicas than that falls back to scanning its samples.
const maxTrackedCount = 4096

// maxClipped is how many spans may start before the window at query time
// for the running totals to be used; past that (a workload idle for a
// long while) the samples are scanned.
const maxClipped = 8

// spanTotals keeps, per replica count c, how long the history's closed
// spans (sample i until sample i+1) were at c, updated as samples are
// appended and dropped, so that the time-weighted percentile over a window
// costs the number of distinct counts, not the number of changes:
//
//	time at c in [start, now] = closed[c]
//	                          - Σ over closed spans starting before start: (min(next, start) - at)
//	                          + open span: now - max(last.at, start), if > 0
//
// which is what forEachSpan adds up, span by span.
type spanTotals struct {
	closed []time.Duration // indexed by count
	// off is set once a count or a span falls outside what the totals can
	// hold (a count over maxTrackedCount or below 0, a span going back in
	// time): from then on the history is scanned.
	off bool
}

// add adds d at count c.
func (t *spanTotals) add(c int, d time.Duration) {
	if t.off {
		return
	}
	if c < 0 || c > maxTrackedCount || d < 0 {
		t.off, t.closed = true, nil
		return
	}
	if c >= len(t.closed) {
		t.closed = append(t.closed, make([]time.Duration, c+1-len(t.closed))...)
	}
	t.closed[c] += d
}

// closeSpan records that samples[i]'s span closed when samples[i+1] came.
func (t *spanTotals) closeSpan(from, to sample) { t.add(from.count, to.at.Sub(from.at)) }

// dropSpan takes out the closed span of from, which left the history.
func (t *spanTotals) dropSpan(from, to sample) {
	if !t.off {
		t.closed[from.count] -= to.at.Sub(from.at)
	}
}

// cut is the part of a span at count that lies before the window.
type cut struct {
	count int
	d     time.Duration
}

// percentile is timeWeightedPercentile(samples, now, start, p) from the
// running totals; ok is false when they cannot answer (the caller scans).
func (t *spanTotals) percentile(samples []sample, now, start time.Time, p int32) (c int, ok bool) {
	n := len(samples)
	if t.off || n == 0 {
		return 0, false
	}
	// Spans cut by the window's start: how much of each lies before it.
	var clipped [maxClipped]cut
	k := 0
	for i := 0; i+1 < n && samples[i].at.Before(start); i++ {
		if k == maxClipped {
			return 0, false
		}
		cutTo := samples[i+1].at
		if cutTo.After(start) {
			cutTo = start
		}
		clipped[k] = cut{count: samples[i].count, d: cutTo.Sub(samples[i].at)}
		k++
	}
	last := samples[n-1]
	from := last.at
	if from.Before(start) {
		from = start
	}
	open := max(now.Sub(from), 0)
	at := func(c int) time.Duration {
		var d time.Duration
		if c < len(t.closed) {
			d = t.closed[c]
		}
		for _, s := range clipped[:k] {
			if s.count == c {
				d -= s.d
			}
		}
		if c == last.count {
			d += open
		}
		return d
	}
	hi := max(len(t.closed)-1, last.count)
	var total time.Duration
	for c := 0; c <= hi; c++ {
		total += at(c)
	}
	if total <= 0 {
		return last.count, true
	}
	need := time.Duration(float64(total) * float64(p) / 100)
	var acc time.Duration
	top := 0
	for c := 0; c <= hi; c++ {
		d := at(c)
		if d <= 0 {
			continue
		}
		acc += d
		if acc >= need {
			return c, true
		}
		top = c
	}
	return top, true
}
