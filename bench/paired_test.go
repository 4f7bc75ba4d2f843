package bench

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkProfilePair schedules through the default profile, the floor
// (Spillway's profile with do-nothing stand-ins for its plugins,
// floor_test.go) and the spillway profile side by side, on three copies of
// the same cluster, cycle by cycle in turn; one op is one cycle of each.
// Taking turns every cycle, rather than running one profile's benchmark
// after the other's, puts all three under the same machine load at every
// instant: a load spike between two sub-benchmarks moves
// SchedulingThroughput's ratio by 10-20% on a shared machine. Each cycle is
// timed alone (time.Now around it: ~50 ns against cycles of 50 us and up).
//
// Metrics: each profile's pods/s; ratio = spillway / default, the target;
// floor-ratio = floor / default, what the framework charges for three more
// plugins and the profile's other changes; own-ratio = spillway / floor,
// what Spillway's own code costs.
func BenchmarkProfilePair(b *testing.B) {
	w, cfg := setup(b)
	if len(w.Profiles) != 2 {
		b.Skipf("the pair needs exactly 2 profiles in workloads.yaml, have %d", len(w.Profiles))
	}
	profiles := []string{w.Profiles[0], floorProfileName, w.Profiles[1]}
	for _, size := range w.Throughput {
		if size.SampleNodes {
			// 5,000 nodes: three clusters of 40,000 pods built twice a
			// round (b.N's probe run and the timed run) would take
			// `make bench` past 10 minutes; SchedulingThroughput covers it.
			continue
		}
		b.Run(fmt.Sprintf("nodes=%d", size.Nodes()), func(b *testing.B) {
			clusters := make([]*benchCluster, len(profiles))
			for i, p := range profiles {
				clusters[i] = newBenchCluster(b, cfg, p, size, w.Deployments)
			}
			took := make([]time.Duration, len(profiles))
			b.ResetTimer()
			for i := range b.N {
				// Rotate who goes first, so that no profile always runs
				// right after the same one's garbage.
				for k := range clusters {
					j := (i + k) % len(clusters)
					start := time.Now()
					clusters[j].scheduleNext(b)
					took[j] += time.Since(start)
				}
			}
			b.StopTimer()
			rate := make([]float64, len(profiles))
			for j, p := range profiles {
				rate[j] = float64(b.N) / took[j].Seconds()
				b.ReportMetric(rate[j], p+"-pods/s")
			}
			b.ReportMetric(rate[2]/rate[0], "ratio")
			b.ReportMetric(rate[1]/rate[0], "floor-ratio")
			b.ReportMetric(rate[2]/rate[1], "own-ratio")
		})
	}
}
