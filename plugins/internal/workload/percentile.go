package workload

import (
	"sort"
	"time"
)

// timeWeightedPercentile returns the smallest count c such that the series
// was at or below c for at least p percent of the time in [start, now].
// samples are change points, oldest first; each holds until the next one.
// With no time elapsed it returns the last count.
func timeWeightedPercentile(samples []sample, now, start time.Time, p int32) int {
	if len(samples) == 0 {
		return 0
	}
	return weightedPercentile(func(yield func(int, time.Duration)) {
		forEachSpan(samples, now, start, yield)
	}, samples[len(samples)-1].count, p)
}

// forEachSpan calls f with each sample's count and how long it held
// within [start, now], for the spans that lasted.
func forEachSpan(samples []sample, now, start time.Time, f func(count int, d time.Duration)) {
	for i, s := range samples {
		from := s.at
		if from.Before(start) {
			from = start
		}
		to := now
		if i+1 < len(samples) {
			to = samples[i+1].at
		}
		if d := to.Sub(from); d > 0 {
			f(s.count, d)
		}
	}
}

// weightedPercentile returns the smallest count c whose spans, with those
// of every smaller count, last at least p percent of the spans' total
// time; with no time at all, last. spans calls its argument once per span
// (count, duration) and is called twice.
//
// Steadiness runs it for every pod it scores over a history source's
// points (a week of Prometheus samples), and over the tracker's samples
// when its running totals cannot answer (spanTotals), so it adds up the
// time per count in a slice indexed by count (replica counts are few and
// close together) rather than sorting the spans; counts spread far wider
// than the spans are many go through a map.
func weightedPercentile(spans func(yield func(count int, d time.Duration)), last int, p int32) int {
	n, lo, hi := 0, 0, 0
	spans(func(c int, _ time.Duration) {
		if n == 0 {
			lo, hi = c, c
		}
		lo, hi, n = min(lo, c), max(hi, c), n+1
	})
	if n == 0 {
		return last
	}
	var total time.Duration
	var counts []int
	var byCount func(c int) time.Duration
	if hi-lo <= 4*n+64 {
		dense := make([]time.Duration, hi-lo+1)
		spans(func(c int, d time.Duration) { dense[c-lo] += d; total += d })
		for i, d := range dense {
			if d > 0 {
				counts = append(counts, lo+i)
			}
		}
		byCount = func(c int) time.Duration { return dense[c-lo] }
	} else {
		sparse := make(map[int]time.Duration, n)
		spans(func(c int, d time.Duration) { sparse[c] += d; total += d })
		for c := range sparse {
			counts = append(counts, c)
		}
		sort.Ints(counts)
		byCount = func(c int) time.Duration { return sparse[c] }
	}
	need := time.Duration(float64(total) * float64(p) / 100)
	var acc time.Duration
	for _, c := range counts {
		acc += byCount(c)
		if acc >= need {
			return c
		}
	}
	return counts[len(counts)-1]
}

// Point is a replica count recorded at a time, as a history source (e.g.
// Prometheus) gives it; it holds until the next point.
type Point struct {
	At    time.Time
	Count int
}

// PercentileOf returns the time-weighted percentile p (1..100) of the
// counts in points (oldest first) over [start, now], the same measure as
// Tracker.Base. It is linear in the points, as it runs in PreScore over up
// to a window of history.
func PercentileOf(points []Point, start, now time.Time, p int32) int {
	i := sort.Search(len(points), func(i int) bool { return points[i].At.After(start) })
	if i > 0 {
		i-- // the point in force at start
	}
	j := sort.Search(len(points), func(j int) bool { return points[j].At.After(now) })
	if i >= j {
		return 0
	}
	pts := points[i:j]
	return weightedPercentile(func(yield func(int, time.Duration)) {
		for k, pt := range pts {
			from, to := pt.At, now
			if from.Before(start) {
				from = start
			}
			if k+1 < len(pts) {
				to = pts[k+1].At
			}
			if d := to.Sub(from); d > 0 {
				yield(pt.Count, d)
			}
		}
	}, pts[len(pts)-1].Count, p)
}
