package simulator

import "time"

// Result is everything one simulation run measured.
type Result struct {
	Summary Summary `json:"summary"`
	// Backends are the backend names of the cluster's virtual nodes,
	// sorted; Sample.PodsServerless is indexed like it.
	Backends []string `json:"backends"`
	// Series has one sample per simulated minute (the last one may cover
	// less than a minute).
	Series []Sample `json:"series"`
	// LatencyQuantiles is the start-latency distribution: the latency at
	// q = 0, 0.01, ..., 1 of the pods that started (empty when none did).
	LatencyQuantiles []Quantile `json:"latency_quantiles"`
	// FrameworkWall is the wall time spent inside the framework's
	// scheduling cycles (inprocess.Scheduler.Schedule), the limit of a
	// run's speed: bench compares it with the whole run's wall time. It
	// measures the machine, so no output file carries it.
	FrameworkWall time.Duration `json:"-"`
	// RemovalWall is the wall time spent removing pods that left their
	// node from the framework (inprocess.Scheduler.RemovePod: the
	// scheduler cache's and the plugins' handlers of the event, which a
	// real kube-scheduler runs in its informers, outside the cycles).
	// With FrameworkWall, it tells the framework's share of a run from
	// the simulator's own. No output file carries it either.
	RemovalWall time.Duration `json:"-"`
}

// Summary is summary.json.
type Summary struct {
	// Scenario names the what-if scenario; empty for a plain simulate.
	Scenario     string         `json:"scenario,omitempty"`
	Cost         CostSummary    `json:"cost"`
	Pods         PodSummary     `json:"pods"`
	StartLatency LatencySummary `json:"start_latency_s"`
	Sim          RunSummary     `json:"sim"`
	// Warnings are problems the run met and went past, such as a pod a
	// backend has no billable shape for (at most 20).
	Warnings []string `json:"warnings,omitempty"`
}

// CostSummary is what the simulated span cost, in USD.
type CostSummary struct {
	TotalUSD float64 `json:"total_usd"`
	// DedicatedUSD is every VM's hourly price over the whole simulated
	// span, the control plane included, used or not.
	DedicatedUSD float64 `json:"dedicated_usd"`
	// ServerlessUSD is the sum of each serverless pod's bill under its
	// backend's rounding and minimums, from binding to its end.
	ServerlessUSD       float64            `json:"serverless_usd"`
	ServerlessByBackend map[string]float64 `json:"serverless_by_backend_usd"`
}

// PodSummary counts every pod of the trace exactly once: Total =
// Dedicated + Serverless + Unscheduled.
type PodSummary struct {
	Total      int64 `json:"total"`
	Dedicated  int64 `json:"dedicated"`
	Serverless int64 `json:"serverless"`
	// Unscheduled pods were never placed: still pending at the end, or
	// deleted or scaled away while pending.
	Unscheduled         int64            `json:"unscheduled"`
	ServerlessByBackend map[string]int64 `json:"serverless_by_backend"`
}

// LatencySummary is the start latency of the pods that started, in
// seconds: from creation to running, pending time and cold start included.
type LatencySummary struct {
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// RunSummary describes the run itself. WallS and PodsPerS are the only
// fields of a Result that depend on the machine; everything else is
// determined by the inputs and the seed.
type RunSummary struct {
	SimulatedS float64 `json:"simulated_s"`
	WallS      float64 `json:"wall_s"`
	// PodsPerS is scheduling attempts per wall-clock second.
	PodsPerS float64 `json:"pods_per_s"`
	Events   int64   `json:"events"`
	// PeakDemandCPUMilli and PeakDemandMemBytes are the most the live
	// pods (pending or placed) requested at once: what a cluster must hold
	// for nothing to wait.
	PeakDemandCPUMilli int64 `json:"peak_demand_cpu_milli"`
	PeakDemandMemBytes int64 `json:"peak_demand_mem_bytes"`
	SchedulingAttempts int64 `json:"scheduling_attempts"`
	// BackendRefusals counts placements on a virtual node that its backend
	// refused (a pod over the backend's size limits or CPU quota, or with a
	// feature it does not support); the pod waits and is retried.
	BackendRefusals int64 `json:"backend_refusals"`
	Seed            int64 `json:"seed"`
}

// Sample is one row of the per-minute time series, covering the simulated
// time (End-Seconds, End]. Costs are accrued within the row; counts and
// utilisation are as at End.
type Sample struct {
	// Minute is 1 for the first minute.
	Minute int `json:"minute"`
	// End is the row's end in seconds from the start.
	End float64 `json:"end_s"`
	// Seconds is the row's length (60 except maybe for the last row).
	Seconds       float64 `json:"seconds"`
	DedicatedUSD  float64 `json:"dedicated_usd"`
	ServerlessUSD float64 `json:"serverless_usd"`
	// CumulativeUSD is the total cost from the start to End.
	CumulativeUSD float64 `json:"cumulative_usd"`
	// VMCPUUtil and VMMemUtil are requested / allocatable, 0..1, over the
	// dedicated nodes that accept ordinary pods (the control plane, tainted
	// NoSchedule, is left out).
	VMCPUUtil     float64 `json:"vm_cpu_util"`
	VMMemUtil     float64 `json:"vm_mem_util"`
	PodsDedicated int     `json:"pods_dedicated"`
	// PodsServerless counts running or starting pods per backend, indexed
	// like Result.Backends.
	PodsServerless []int `json:"pods_serverless"`
	Pending        int   `json:"pending"`
}

// CostRateUSDPerHour is the row's average cost rate.
func (s Sample) CostRateUSDPerHour() float64 {
	if s.Seconds <= 0 {
		return 0
	}
	return (s.DedicatedUSD + s.ServerlessUSD) * 3600 / s.Seconds
}

// Quantile is one point of a distribution.
type Quantile struct {
	Q       float64 `json:"q"`
	Seconds float64 `json:"seconds"`
}
