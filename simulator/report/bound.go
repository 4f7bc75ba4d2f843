package report

// Bound is the fluid-oracle lower bound of a what-if run's cost: what the
// trace's demand costs on the cluster with perfect packing, no waiting and
// no cold start (whatif.FluidOracle computes it). The report shows it as
// its own row, and each scenario's ratio to min(bound, serverless-only).
type Bound struct {
	// TotalUSD = DedicatedUSD + ServerlessUSD.
	TotalUSD      float64 `json:"total_usd"`
	DedicatedUSD  float64 `json:"dedicated_usd"`
	ServerlessUSD float64 `json:"serverless_usd"`
	// SpanS is the span the VMs are billed for, in seconds.
	SpanS float64 `json:"span_s"`
	// Pods is how many pods the trace creates; PodsNowhere how many of
	// them no worker and no virtual node can run (left out of the bound).
	Pods        int64 `json:"pods"`
	PodsNowhere int64 `json:"pods_nowhere"`
	// PeakCPUMilli and PeakMemBytes are the most the pods the trace wants
	// running at once request (pods that fit nowhere left out), each at
	// its own instant.
	PeakCPUMilli int64 `json:"peak_cpu_milli"`
	PeakMemBytes int64 `json:"peak_mem_bytes"`
}
