package workload

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
)

// The tracker's base from its running totals equals the scan of its
// samples (timeWeightedPercentile, itself held to sorting the spans), after
// every change of random histories: bursts and drains, changes within the
// same instant, idle stretches longer than the window, counts over
// maxTrackedCount (the scan takes over), windows of a few seconds to an
// hour, and p from 1 to 100.
func TestTrackerBaseMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for run := range 90 {
		clk := clocktesting.NewFakeClock(t0)
		window := []time.Duration{5 * time.Second, time.Minute, time.Hour}[run%3]
		tr := NewTracker(clk, window)
		key := Key{"ns", KindStatefulSet, "web"}
		var live []*v1.Pod
		next := 0
		burst := []int{3, 40, maxTrackedCount + 10}[run%3]
		for step := range 400 {
			switch r := rng.IntN(10); {
			case r < 5 && len(live) < burst:
				for range 1 + rng.IntN(4) {
					p := statefulSetPod("web", next)
					next++
					tr.Observe(p)
					live = append(live, p)
				}
			case r < 9 && len(live) > 0:
				i := rng.IntN(len(live))
				tr.Forget(live[i])
				live = append(live[:i], live[i+1:]...)
			}
			switch rng.IntN(8) {
			case 0: // same instant
			case 1:
				clk.Step(window + time.Duration(rng.IntN(int(window))))
			default:
				clk.Step(time.Duration(1+rng.IntN(int(window/time.Second))) * time.Second / 4)
			}
			now := clk.Now()
			for _, p := range []int32{1, 50, 90, 100, int32(1 + rng.IntN(100))} {
				want := 0
				tr.mu.RLock()
				if h := tr.owners[key]; h != nil {
					want = timeWeightedPercentile(h.samples, now, now.Add(-window), p)
				}
				tr.mu.RUnlock()
				if got, _ := tr.Base(key, p); got != want {
					t.Fatalf("run %d step %d p%d: Base = %d, scan of the samples = %d", run, step, p, got, want)
				}
			}
		}
	}
}

// A history of a workload scaling every second keeps its base in time
// linear in the distinct counts, not the changes: the totals stay in use.
func TestTrackerTotalsStayInUse(t *testing.T) {
	clk := clocktesting.NewFakeClock(t0)
	tr := NewTracker(clk, time.Hour)
	key := Key{"ns", KindStatefulSet, "web"}
	for i := range 7200 {
		p := statefulSetPod("web", i)
		tr.Observe(p)
		clk.Step(time.Second)
		if i%3 != 0 {
			tr.Forget(p)
		}
		clk.Step(time.Second)
	}
	tr.mu.RLock()
	defer tr.mu.RUnlock()
	h := tr.owners[key]
	if h.totals.off {
		t.Fatal("running totals switched off for counts up to 2,400")
	}
	if _, ok := h.totals.percentile(h.samples, clk.Now(), clk.Now().Add(-time.Hour), 50); !ok {
		t.Fatal("running totals cannot answer right after a change")
	}
}

func statefulSetPod(name string, i int) *v1.Pod {
	p := ownedPod("StatefulSet", name, nil)
	p.Name = fmt.Sprintf("%s-%d", name, i)
	p.UID = types.UID(p.Name)
	p.Spec.NodeName = "n1"
	return p
}

// BenchmarkTrackerBase: the base of a workload with an hour of changes,
// one a second.
func BenchmarkTrackerBase(b *testing.B) {
	clk := clocktesting.NewFakeClock(t0)
	tr := NewTracker(clk, time.Hour)
	key := Key{"ns", KindStatefulSet, "web"}
	var live []*v1.Pod
	for i := range 3600 {
		p := statefulSetPod("web", i)
		tr.Observe(p)
		live = append(live, p)
		if len(live) > 20+i%7 {
			tr.Forget(live[0])
			live = live[1:]
		}
		clk.Step(time.Second)
	}
	for b.Loop() {
		tr.Base(key, 50)
	}
}

// With no window and nothing kept idle, a workload is forgotten the
// moment its last replica ends, and only then: after any sequence of
// starts and ends the tracker holds exactly the workloads with replicas.
func TestTrackerWithoutWindowHoldsLiveWorkloads(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	clk := clocktesting.NewFakeClock(t0)
	tr := NewLifetimeTracker(clk, 0)
	live := map[string][]*v1.Pod{}
	for i := range 2000 {
		name := fmt.Sprintf("web-%d", rng.IntN(6))
		if pods := live[name]; len(pods) > 0 && rng.IntN(2) == 0 {
			tr.Forget(pods[0])
			live[name] = pods[1:]
		} else {
			p := statefulSetPod(name, i)
			tr.Observe(p)
			live[name] = append(live[name], p)
		}
		clk.Step(time.Second)
		want := map[string]int{}
		for n, pods := range live {
			if len(pods) > 0 {
				want[n] = len(pods)
			}
		}
		got := map[string]int{}
		tr.mu.RLock()
		for k, h := range tr.owners {
			got[k.Name] = h.count
		}
		tr.mu.RUnlock()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("step %d: workloads held (-want +got):\n%s", i, diff)
		}
	}
}

// Without a window the base is the current count, as the percentile over
// an instant is, though no change points are kept.
func TestTrackerWithoutWindowBaseIsTheCount(t *testing.T) {
	clk := clocktesting.NewFakeClock(t0)
	tr := NewLifetimeTracker(clk, time.Hour)
	key := Key{"ns", KindStatefulSet, "web"}
	var pods []*v1.Pod
	for i, step := range []int{+1, +1, +1, -1, +1, -1, -1} {
		if step > 0 {
			pods = append(pods, statefulSetPod("web", i))
			tr.Observe(pods[len(pods)-1])
		} else {
			tr.Forget(pods[0])
			pods = pods[1:]
		}
		clk.Step(time.Minute)
		if base, observed := tr.Base(key, 50); base != len(pods) || observed != 0 {
			t.Errorf("after change %d: Base = %d, %v; want %d, 0", i, base, observed, len(pods))
		}
		tr.mu.RLock()
		if h := tr.owners[key]; h != nil && len(h.samples) > 0 {
			t.Errorf("after change %d: %d change points kept with no window", i, len(h.samples))
		}
		tr.mu.RUnlock()
	}
}
