package workload

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func replica(i int) *v1.Pod {
	p := ownedPod("StatefulSet", "db", nil)
	p.Name = fmt.Sprintf("db-%d", i)
	p.UID = types.UID(p.Name)
	p.Spec.NodeName = "n1"
	return p
}

func TestTimeWeightedPercentile(t *testing.T) {
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	tests := []struct {
		name    string
		samples []sample
		now     int
		start   int
		p       int32
		want    int
	}{
		{"empty", nil, 60, 0, 50, 0},
		{"constant", []sample{{at(0), 6}}, 60, 0, 50, 6},
		{"mostly 6, 10 for the last 10 min: p50", []sample{{at(0), 6}, {at(50), 10}}, 60, 0, 50, 6},
		{"mostly 6, 10 for the last 10 min: p90", []sample{{at(0), 6}, {at(50), 10}}, 60, 0, 90, 10},
		{"mostly 6, 10 for the last 10 min: p83", []sample{{at(0), 6}, {at(50), 10}}, 60, 0, 83, 6},
		{"sample before window clipped", []sample{{at(0), 1}, {at(50), 4}}, 100, 40, 50, 4},
		{"no time elapsed", []sample{{at(60), 3}}, 60, 0, 50, 3},
		{"p100 is the max", []sample{{at(0), 2}, {at(10), 9}, {at(11), 2}}, 60, 0, 100, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := timeWeightedPercentile(tt.samples, at(tt.now), at(tt.start), tt.p); got != tt.want {
				t.Errorf("timeWeightedPercentile() = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestTrackerBaseFollowsHistory(t *testing.T) {
	clk := clocktesting.NewFakeClock(t0)
	tr := NewTracker(clk, time.Hour)
	key := Key{"ns", KindStatefulSet, "db"}
	for i := 0; i < 6; i++ {
		tr.Observe(replica(i))
	}
	clk.Step(50 * time.Minute)
	for i := 6; i < 10; i++ {
		tr.Assume(replica(i))
	}
	clk.Step(10 * time.Minute)
	if got := tr.Count(key); got != 10 {
		t.Fatalf("Count = %d, want 10", got)
	}
	base, observed := tr.Base(key, 50)
	if base != 6 || observed != time.Hour {
		t.Errorf("Base(p50) = %d over %v, want 6 over 1h", base, observed)
	}
	// Two hours later at 10 replicas the old level has left the window.
	clk.Step(2 * time.Hour)
	if base, _ := tr.Base(key, 50); base != 10 {
		t.Errorf("Base(p50) after the window moved = %d, want 10", base)
	}
}

func TestTrackerCountsEachPodOnce(t *testing.T) {
	clk := clocktesting.NewFakeClock(t0)
	tr := NewTracker(clk, time.Hour)
	key := Key{"ns", KindStatefulSet, "db"}
	p := replica(0)
	tr.Assume(p)
	tr.Observe(p) // the binding arrives through the informer
	tr.Observe(p)
	if got := tr.Count(key); got != 1 {
		t.Fatalf("Count after assume+observe = %d, want 1", got)
	}
	tr.Unassume(p)
	if got := tr.Count(key); got != 0 {
		t.Fatalf("Count after unassume = %d, want 0", got)
	}
	if _, n := tr.MedianLifetime(key); n != 0 {
		t.Errorf("Unassume recorded a lifetime")
	}
	unbound := replica(1)
	unbound.Spec.NodeName = ""
	tr.Observe(unbound)
	if got := tr.Count(key); got != 0 {
		t.Errorf("an unbound pod was counted")
	}
}

func TestTrackerMedianLifetime(t *testing.T) {
	clk := clocktesting.NewFakeClock(t0)
	tr := NewTracker(clk, time.Hour)
	key := Key{"ns", KindStatefulSet, "db"}
	for i, life := range []time.Duration{time.Minute, 5 * time.Minute, 3 * time.Minute} {
		p := replica(i)
		tr.Observe(p)
		clk.Step(life)
		done := p.DeepCopy()
		done.Status.Phase = v1.PodSucceeded
		tr.Observe(done)
	}
	got, n := tr.MedianLifetime(key)
	if got != 3*time.Minute || n != 3 {
		t.Errorf("MedianLifetime = %v over %d, want 3m over 3", got, n)
	}
	if got := tr.Count(key); got != 0 {
		t.Errorf("finished pods still counted: %d", got)
	}
}

func TestTrackerKeepsBoundedHistory(t *testing.T) {
	clk := clocktesting.NewFakeClock(t0)
	tr := NewTracker(clk, time.Minute)
	key := Key{"ns", KindStatefulSet, "db"}
	for i := 0; i < 1000; i++ {
		p := replica(i)
		tr.Observe(p)
		clk.Step(time.Second)
		tr.Forget(p)
		clk.Step(time.Second)
	}
	tr.mu.RLock()
	n := len(tr.owners[key].samples)
	tr.mu.RUnlock()
	if n > 62 {
		t.Errorf("history holds %d samples for a 1-minute window of 1 change/s, want <= 62", n)
	}
}

// The tracker's memory follows the live workloads: a bare pod is
// forgotten when it ends, an idle workload after a whole window.
func TestTrackerForgetsWhatIsGone(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(t0)
	tr := NewTracker(clk, time.Hour)
	for i := 0; i < 100; i++ {
		p := &v1.Pod{}
		p.Namespace, p.Name, p.UID, p.Spec.NodeName = "default", fmt.Sprintf("bare-%d", i), types.UID(fmt.Sprintf("bare-%d", i)), "n1"
		tr.Observe(p)
		clk.SetTime(clk.Now().Add(time.Second))
		tr.Forget(p)
	}
	db := replica(0)
	tr.Observe(db)
	clk.SetTime(clk.Now().Add(time.Minute))
	tr.Forget(db)
	key, _ := OwnerOf(db)
	if got := len(tr.owners); got != 1 {
		t.Fatalf("after 100 bare pods came and went and one StatefulSet replica ended, the tracker holds %d workloads, want 1", got)
	}
	if _, n := tr.MedianLifetime(key); n != 1 {
		t.Errorf("an idle workload lost its lifetimes before its window passed: %d", n)
	}
	clk.SetTime(clk.Now().Add(time.Hour))
	other := ownedPod("Job", "etl", nil)
	other.UID, other.Spec.NodeName = "etl-1", "n1"
	tr.Observe(other) // any change sweeps
	tr.Forget(other)
	if _, ok := tr.owners[key]; ok {
		t.Error("a workload idle for a whole window is still tracked")
	}
	if _, n := tr.MedianLifetime(Key{Namespace: other.Namespace, Kind: "Job", Name: "etl"}); n != 1 {
		t.Error("the Job that just ended was forgotten at once")
	}
}

func TestPercentileOf(t *testing.T) {
	t0 := time.Unix(0, 0)
	m := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }
	// 1 for [0,10), 5 for [10,40), 3 from 40 on; the window is [20, 60].
	pts := []Point{{At: m(0), Count: 1}, {At: m(10), Count: 5}, {At: m(40), Count: 3}, {At: m(70), Count: 9}}
	for _, tt := range []struct {
		p    int32
		want int
	}{{1, 3}, {50, 3}, {51, 5}, {100, 5}} {
		// In [20, 60]: 5 for 20 min, 3 for 20 min; the point at 70 is after now.
		if got := PercentileOf(pts, m(20), m(60), tt.p); got != tt.want {
			t.Errorf("p%d = %d, want %d", tt.p, got, tt.want)
		}
	}
	if got := PercentileOf(nil, m(0), m(60), 50); got != 0 {
		t.Errorf("no points: %d, want 0", got)
	}
}

// FuzzPercentileOfMatchesTheTracker: PercentileOf over points gives what
// the tracker's percentile gives over the same change points.
func FuzzPercentileOfMatchesTheTracker(f *testing.F) {
	f.Add([]byte{1, 5, 3, 9, 2, 2}, int32(50), uint16(30))
	f.Fuzz(func(t *testing.T, counts []byte, p int32, startMin uint16) {
		p = 1 + (p%100+100)%100
		t0 := time.Unix(0, 0)
		var pts []Point
		var samples []sample
		for i, c := range counts {
			at := t0.Add(time.Duration(i*7) * time.Minute)
			pts = append(pts, Point{At: at, Count: int(c % 16)})
			samples = append(samples, sample{at: at, count: int(c % 16)})
		}
		start, now := t0.Add(time.Duration(startMin%200)*time.Minute), t0.Add(time.Duration(len(counts)*7)*time.Minute)
		drop := 0
		for drop+1 < len(samples) && !samples[drop+1].at.After(start) {
			drop++
		}
		want := timeWeightedPercentile(samples[drop:], now, start, p)
		if start.After(now) || len(pts) == 0 {
			return
		}
		if got := PercentileOf(pts, start, now, p); got != want {
			t.Fatalf("PercentileOf = %d, tracker's percentile = %d", got, want)
		}
	})
}

// TestTrackerMedianLifetimeFollowsTheLastLifetimes: the median kept up to
// date as pods finish is the median of the last 32 lifetimes, also once
// the ring has wrapped several times (against a sort of those lifetimes).
func TestTrackerMedianLifetimeFollowsTheLastLifetimes(t *testing.T) {
	clk := clocktesting.NewFakeClock(t0)
	tr := NewTracker(clk, time.Hour)
	key := Key{"ns", KindStatefulSet, "db"}
	rng := rand.New(rand.NewPCG(1, 2))
	var all []time.Duration
	for i := range 100 {
		p := replica(i)
		tr.Observe(p)
		life := time.Duration(1+rng.IntN(600)) * time.Second
		clk.Step(life)
		done := p.DeepCopy()
		done.Status.Phase = v1.PodSucceeded
		tr.Observe(done)
		all = append(all, life)
		last := slices.Clone(all[max(0, len(all)-maxLifetimes):])
		slices.Sort(last)
		want := last[len(last)/2]
		if len(last)%2 == 0 {
			want = (last[len(last)/2-1] + last[len(last)/2]) / 2
		}
		if got, n := tr.MedianLifetime(key); got != want || n != len(last) {
			t.Fatalf("after %d pods: MedianLifetime = %v over %d, want %v over %d", i+1, got, n, want, len(last))
		}
	}
}
