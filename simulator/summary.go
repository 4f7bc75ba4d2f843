package simulator

import (
	"math"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// latencyBars caches the histogram's buckets for quantile lookups.
type latencyBars = []hdrhistogram.Bar

// result assembles the run's Result.
func (e *engine) result() *Result {
	a := &e.acct
	r := &Result{Backends: append([]string{}, e.backends...), Series: a.samples, FrameworkWall: e.inCycle, RemovalWall: e.inRemoval}
	if r.Series == nil {
		r.Series = []Sample{}
	}
	s := &r.Summary
	span := e.now
	if e.cfg.Until > 0 {
		span = e.cfg.Until
	}
	s.Cost.DedicatedUSD = a.dedicatedPerS * span
	s.Cost.ServerlessByBackend = map[string]float64{}
	s.Pods.ServerlessByBackend = map[string]int64{}
	for i, b := range e.backends {
		s.Cost.ServerlessUSD += a.serverlessUSD[i]
		s.Cost.ServerlessByBackend[b] = a.serverlessUSD[i]
		s.Pods.Serverless += a.serverlessPods[i]
		s.Pods.ServerlessByBackend[b] = a.serverlessPods[i]
	}
	s.Cost.TotalUSD = s.Cost.DedicatedUSD + s.Cost.ServerlessUSD
	s.Pods.Total = a.podsCreated
	s.Pods.Dedicated = a.dedicatedPods
	s.Pods.Unscheduled = a.unplaced
	if a.latN > 0 {
		s.StartLatency = LatencySummary{
			P50: a.quantile(50), P95: a.quantile(95), P99: a.quantile(99),
			Max: a.latMax, Mean: a.latSum / float64(a.latN),
		}
		for i := 0; i <= 100; i++ {
			r.LatencyQuantiles = append(r.LatencyQuantiles, Quantile{Q: float64(i) / 100, Seconds: a.quantile(float64(i))})
		}
		r.LatencyQuantiles[100].Seconds = a.latMax
	}
	if r.LatencyQuantiles == nil {
		r.LatencyQuantiles = []Quantile{}
	}
	s.Sim = RunSummary{SimulatedS: span, Events: e.events, SchedulingAttempts: e.attempts, BackendRefusals: e.refusals, Seed: e.cfg.Seed,
		PeakDemandCPUMilli: a.peakCPU, PeakDemandMemBytes: a.peakMem}
	s.Warnings = a.warnings
	return r
}

// quantile is the start latency at percentile q (0..100), in seconds:
// the lower bound of the histogram bucket holding the q-th value (1 ms
// resolution, 3 significant digits; latencies under 2 ms are reported as
// 0).
func (a *accounting) quantile(q float64) float64 {
	if a.bars == nil {
		a.bars = a.latency.Distribution()
	}
	total := a.latency.TotalCount()
	rank := max(int64(math.Ceil(q/100*float64(total))), 1)
	var seen int64
	for _, b := range a.bars {
		seen += b.Count
		if seen >= rank {
			if b.From <= 1 {
				return 0
			}
			return min(float64(b.From)/1000, a.latMax)
		}
	}
	return a.latMax
}
