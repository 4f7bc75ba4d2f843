package workload

import (
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// sortedPercentile is timeWeightedPercentile by sorting the spans: the
// reference the tests hold the bucketed one to.
func sortedPercentile(samples []sample, now, start time.Time, p int32) int {
	type span struct {
		count int
		d     time.Duration
	}
	var spans []span
	var total time.Duration
	forEachSpan(samples, now, start, func(count int, d time.Duration) {
		spans = append(spans, span{count, d})
		total += d
	})
	if len(spans) == 0 {
		if len(samples) == 0 {
			return 0
		}
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

// The bucketed percentile gives what sorting the spans gives, on random
// histories (counts small and large, spans before the window, p from 0
// to 100).
func TestTimeWeightedPercentileMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 2000 {
		n := 1 + rng.IntN(40)
		maxCount := []int{3, 50, 100000}[i%3]
		samples := make([]sample, n)
		at := base
		for j := range samples {
			at = at.Add(time.Duration(rng.IntN(600)) * time.Second)
			samples[j] = sample{at: at, count: rng.IntN(maxCount + 1)}
		}
		now := at.Add(time.Duration(rng.IntN(600)) * time.Second)
		start := base.Add(time.Duration(rng.IntN(n*300+1)) * time.Second)
		p := int32(rng.IntN(101))
		if got, want := timeWeightedPercentile(samples, now, start, p), sortedPercentile(samples, now, start, p); got != want {
			t.Fatalf("case %d (p%d, %v): bucketed %d, sorted %d", i, p, samples, got, want)
		}
	}
}

func BenchmarkTimeWeightedPercentile(b *testing.B) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	samples := make([]sample, 500)
	for i := range samples {
		samples[i] = sample{at: base.Add(time.Duration(i) * time.Second), count: 20 + i%7}
	}
	now := base.Add(time.Hour)
	for _, f := range []struct {
		name string
		f    func([]sample, time.Time, time.Time, int32) int
	}{{"bucketed", timeWeightedPercentile}, {"sorted", sortedPercentile}} {
		b.Run(f.name, func(b *testing.B) {
			for b.Loop() {
				f.f(samples, now, base, 50)
			}
		})
	}
}
