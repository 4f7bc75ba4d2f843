package bench

import (
	"fmt"
	"testing"
)

// BenchmarkSchedulingThroughput schedules pods through the in-process
// framework of each profile, one cycle per op, on each cluster size of
// workloads.yaml. pods/s is the throughput; bound is the share of pods
// that found a node.
func BenchmarkSchedulingThroughput(b *testing.B) {
	w, cfg := setup(b)
	for _, size := range w.Throughput {
		for _, profile := range w.Profiles {
			b.Run(fmt.Sprintf("nodes=%d/profile=%s", size.Nodes(), profile), func(b *testing.B) {
				c := newBenchCluster(b, cfg, profile, size, w.Deployments)
				b.ReportAllocs()
				b.ResetTimer()
				bound := 0
				for range b.N {
					if c.scheduleNext(b) {
						bound++
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pods/s")
				b.ReportMetric(float64(bound)/float64(b.N), "bound")
			})
		}
	}
}
