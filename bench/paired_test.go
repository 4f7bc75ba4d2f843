package bench

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkProfilePair schedules through the default and the spillway
// profile side by side on two copies of the same cluster, alternating
// cycle by cycle, and reports the spillway profile's pods/s over the
// default's. One op is one cycle of each. Interleaving cycles, rather than
// running one profile's benchmark after the other's, puts both under the
// same machine load at every instant, so the ratio holds on a shared,
// noisy machine where a load spike between two sub-benchmarks moves
// SchedulingThroughput's ratio by 10-20%. Each cycle is timed alone
// (time.Now around Schedule, ~50 ns against cycles of 50 us and up).
func BenchmarkProfilePair(b *testing.B) {
	w, cfg := setup(b)
	if len(w.Profiles) != 2 {
		b.Skipf("profile pair needs exactly 2 profiles in workloads.yaml, have %d", len(w.Profiles))
	}
	for _, size := range w.Throughput {
		b.Run(fmt.Sprintf("nodes=%d", size.Nodes()), func(b *testing.B) {
			base := newBenchCluster(b, cfg, w.Profiles[0], size, w.Deployments)
			ours := newBenchCluster(b, cfg, w.Profiles[1], size, w.Deployments)
			var took [2]time.Duration
			b.ResetTimer()
			for i := range b.N {
				// Alternate which profile goes first, so neither always
				// runs right after the other's garbage.
				order := [2]*benchCluster{base, ours}
				slot := [2]int{0, 1}
				if i%2 == 1 {
					order, slot = [2]*benchCluster{ours, base}, [2]int{1, 0}
				}
				for k, c := range order {
					start := time.Now()
					c.scheduleNext(b)
					took[slot[k]] += time.Since(start)
				}
			}
			b.StopTimer()
			baseRate := float64(b.N) / took[0].Seconds()
			oursRate := float64(b.N) / took[1].Seconds()
			b.ReportMetric(baseRate, w.Profiles[0]+"-pods/s")
			b.ReportMetric(oursRate, w.Profiles[1]+"-pods/s")
			b.ReportMetric(oursRate/baseRate, "ratio")
		})
	}
}
