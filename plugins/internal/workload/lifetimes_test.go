package workload

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
)

// run is a pod of a workload that starts at offset start and runs for d.
type run struct {
	start, d time.Duration
}

// TestLifetimeTrackerKeepsIdleWorkloads replays the pods of one Job (or
// one function that scales to zero) through a lifetime tracker: the
// lifetimes of pods that ran one after another add up across the idle
// gaps shorter than keepIdle, and a longer gap forgets them.
func TestLifetimeTrackerKeepsIdleWorkloads(t *testing.T) {
	m := time.Minute
	tests := []struct {
		name       string
		keepIdle   time.Duration
		runs       []run
		wantMedian time.Duration
		wantN      int
	}{
		{"sequential pods, gaps of a minute", time.Hour,
			[]run{{0, 2 * m}, {3 * m, 4 * m}, {8 * m, 3 * m}}, 3 * m, 3},
		{"two bursts half an hour apart", time.Hour,
			[]run{{0, m}, {0, m}, {0, 3 * m}, {33 * m, 5 * m}}, 2 * m, 4},
		{"a gap longer than keepIdle forgets the first burst", time.Hour,
			[]run{{0, m}, {0, m}, {0, m}, {3 * time.Hour, 5 * m}}, 5 * m, 1},
		{"keepIdle 0: forgotten whenever no pod runs", 0,
			[]run{{0, 2 * m}, {3 * m, 4 * m}, {8 * m, 3 * m}}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clocktesting.NewFakeClock(t0)
			tr := NewLifetimeTracker(clk, tt.keepIdle)
			key := Key{"ns", KindJob, "etl"}
			// Each pod's start and end, in time order (ends first on ties).
			type event struct {
				at    time.Duration
				start bool
				pod   *v1.Pod
			}
			var events []event
			for i, r := range tt.runs {
				p := ownedPod("Job", "etl", nil)
				p.Namespace, p.Name, p.Spec.NodeName = "ns", fmt.Sprintf("etl-%d", i), "n1"
				p.UID = types.UID(p.Name)
				events = append(events, event{r.start, true, p}, event{r.start + r.d, false, p})
			}
			slices.SortStableFunc(events, func(a, b event) int {
				switch {
				case a.at != b.at:
					return int(a.at - b.at)
				case a.start == b.start:
					return 0
				case a.start:
					return 1 // ends before starts at the same time
				}
				return -1
			})
			for _, e := range events {
				clk.SetTime(t0.Add(e.at))
				if e.start {
					tr.Observe(e.pod)
				} else {
					tr.Forget(e.pod)
				}
			}
			median, n := tr.MedianLifetime(key)
			if n != tt.wantN || median != tt.wantMedian {
				t.Errorf("MedianLifetime = %v from %d pods, want %v from %d", median, n, tt.wantMedian, tt.wantN)
			}
		})
	}
}

// TestLifetimeTrackerMemoryFollowsKeepIdle runs 10,000 one-pod workloads,
// one a second: the tracker holds the workloads of about the last
// keepIdle (a sweep runs every quarter of it), not all it has seen, and
// every one of those still has its lifetime.
func TestLifetimeTrackerMemoryFollowsKeepIdle(t *testing.T) {
	for _, keepIdle := range []time.Duration{0, 10 * time.Second, time.Minute} {
		t.Run(keepIdle.String(), func(t *testing.T) {
			clk := clocktesting.NewFakeClock(t0)
			tr := NewLifetimeTracker(clk, keepIdle)
			most := int(keepIdle/time.Second*5/4) + 2
			for i := range 10000 {
				p := ownedPod("Job", fmt.Sprintf("job-%d", i), nil)
				p.Name, p.UID, p.Spec.NodeName = fmt.Sprintf("job-%d-0", i), types.UID(fmt.Sprintf("job-%d", i)), "n1"
				tr.Observe(p)
				clk.Step(time.Second)
				tr.Forget(p)
				tr.mu.RLock()
				held := len(tr.owners)
				tr.mu.RUnlock()
				if held > most {
					t.Fatalf("after %d workloads the tracker holds %d, want at most %d", i+1, held, most)
				}
			}
			// The workloads idle for less than keepIdle are all there.
			var want, got []string
			for i := 10000 - int(keepIdle/time.Second); i < 10000; i++ {
				name := fmt.Sprintf("job-%d", i)
				want = append(want, name)
				if _, n := tr.MedianLifetime(Key{Namespace: "ns", Kind: KindJob, Name: name}); n == 1 {
					got = append(got, name)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("workloads idle for less than %v with a lifetime (-want +got):\n%s", keepIdle, diff)
			}
		})
	}
}
