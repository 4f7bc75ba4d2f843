package workload

import (
	"sort"
	"time"
)

// timeWeightedPercentile returns the smallest count c such that the series
// was at or below c for at least p percent of the time in [start, now].
// samples are change points, oldest first; each holds until the next one.
// With no time elapsed it returns the last count.
//
// Steadiness calls it for every pod it scores, over every change of the
// workload's replica count in the window, so it adds up the time per
// count in buckets (replica counts are small) rather than sorting the
// spans; counts far above the number of samples fall back to the sort.
func timeWeightedPercentile(samples []sample, now, start time.Time, p int32) int {
	if len(samples) == 0 {
		return 0
	}
	maxCount, bucketed := 0, true
	for _, s := range samples {
		if s.count < 0 {
			bucketed = false
		}
		maxCount = max(maxCount, s.count)
	}
	if maxCount > 4*len(samples)+64 {
		bucketed = false
	}
	if !bucketed {
		return sortedPercentile(samples, now, start, p)
	}
	byCount := make([]time.Duration, maxCount+1)
	var total time.Duration
	forEachSpan(samples, now, start, func(count int, d time.Duration) {
		byCount[count] += d
		total += d
	})
	if total == 0 {
		return samples[len(samples)-1].count
	}
	need := time.Duration(float64(total) * float64(p) / 100)
	var acc time.Duration
	last := 0
	for c, d := range byCount {
		if d == 0 {
			continue
		}
		acc += d
		last = c
		if acc >= need {
			return c
		}
	}
	return last
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

// sortedPercentile is timeWeightedPercentile by sorting the spans.
func sortedPercentile(samples []sample, now, start time.Time, p int32) int {
	type span struct {
		count int
		d     time.Duration
	}
	spans := make([]span, 0, len(samples))
	var total time.Duration
	forEachSpan(samples, now, start, func(count int, d time.Duration) {
		spans = append(spans, span{count, d})
		total += d
	})
	if total == 0 {
		return samples[len(samples)-1].count
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].count < spans[j].count })
	need := time.Duration(float64(total) * float64(p) / 100)
	var acc time.Duration
	for _, s := range spans {
		acc += s.d
		if acc >= need {
			return s.count
		}
	}
	return spans[len(spans)-1].count
}

// Point is a replica count recorded at a time, as a history source (e.g.
// Prometheus) gives it; it holds until the next point.
type Point struct {
	At    time.Time
	Count int
}

// PercentileOf returns the time-weighted percentile p (1..100) of the
// counts in points (oldest first) over [start, now], the same measure as
// Tracker.Base. It is linear in the points and allocates only per distinct
// count, as it runs in PreScore over up to a window of history.
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
	byCount := map[int]time.Duration{}
	var total time.Duration
	for k, pt := range pts {
		from, to := pt.At, now
		if from.Before(start) {
			from = start
		}
		if k+1 < len(pts) {
			to = pts[k+1].At
		}
		if d := to.Sub(from); d > 0 {
			byCount[pt.Count] += d
			total += d
		}
	}
	if total == 0 {
		return pts[len(pts)-1].Count
	}
	counts := make([]int, 0, len(byCount))
	for c := range byCount {
		counts = append(counts, c)
	}
	sort.Ints(counts)
	need := time.Duration(float64(total) * float64(p) / 100)
	var acc time.Duration
	for _, c := range counts {
		acc += byCount[c]
		if acc >= need {
			return c
		}
	}
	return counts[len(counts)-1]
}
