package simulator

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A trace whose cost is known by hand: pods that can only run on a Fargate
// node (the only worker is tainted for a dedicated team), with a constant
// 30 s cold start; the control plane is billed for the whole span.
func TestCostsByHand(t *testing.T) {
	c := buildCluster(t, `apiVersion: spillway.dev/v1alpha1
kind: SimulatedCluster
nodeGroups:
- name: control-plane
  instanceType: m5.xlarge
  count: 1
  taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]
virtualNodes:
- name: fargate
  backend: fargate
  startupSeconds: {p50: 30, p95: 30}
`)
	const (
		vcpuHour = 0.04048  // Fargate, us-east-1
		gbHour   = 0.004445 // per GiB
		m5xlarge = 0.192    // on demand, per hour
	)
	tr := lines(
		// 10 s of run + 30 s cold start = 40 s, billed as the 60 s minimum;
		// 512 MiB + 256 MiB overhead rounds to 0.25 vCPU / 1 GiB.
		`{"at":0,"op":"create","pod":`+pod("short", "250m", "512Mi", tolerateFargate)+`,"runFor":10}`,
		// 1 vCPU / 8 GiB + 256 MiB is billed as 2 vCPU / 9 GiB (AWS's own
		// example); 30 + 31.2 s = 61.2 s, billed as 62 s.
		`{"at":0,"op":"create","pod":`+pod("big", "1", "8Gi", tolerateFargate)+`,"runFor":31.2}`,
		// An hour at 0.5 vCPU / 1 GiB from t=100: billed 3630 s.
		`{"at":100,"op":"create","pod":`+pod("hour", "500m", "744Mi", tolerateFargate)+`,"runFor":3600}`,
	)
	e := run(t, c, "spillway", tr, 1, nil)
	r := e.result()
	span := 100 + 30 + 3600.0
	want := CostSummary{
		DedicatedUSD: m5xlarge * span / 3600,
		ServerlessUSD: 60.0/3600*(0.25*vcpuHour+1*gbHour) +
			62.0/3600*(2*vcpuHour+9*gbHour) +
			3630.0/3600*(0.5*vcpuHour+1*gbHour),
	}
	want.TotalUSD = want.DedicatedUSD + want.ServerlessUSD
	want.ServerlessByBackend = map[string]float64{"fargate": want.ServerlessUSD}
	approx := cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-9 })
	if diff := cmp.Diff(want, r.Summary.Cost, approx); diff != "" {
		t.Errorf("cost (-want +got):\n%s", diff)
	}
	if got := r.Summary.Sim.SimulatedS; got != span {
		t.Errorf("simulated span = %v s, want %v s (to the last completion)", got, span)
	}
	if diff := cmp.Diff(PodSummary{Total: 3, Serverless: 3, ServerlessByBackend: map[string]int64{"fargate": 3}}, r.Summary.Pods); diff != "" {
		t.Errorf("pods (-want +got):\n%s", diff)
	}
	// Every pod waited exactly the cold start.
	if diff := cmp.Diff(LatencySummary{P50: 30, P95: 30, P99: 30, Max: 30, Mean: 30}, r.Summary.StartLatency, approx); diff != "" {
		t.Errorf("start latency (-want +got):\n%s", diff)
	}
	// The time series adds up to the same total.
	last := r.Series[len(r.Series)-1]
	if math.Abs(last.CumulativeUSD-want.TotalUSD) > 1e-9 {
		t.Errorf("cumulative cost at the end = %v, want %v", last.CumulativeUSD, want.TotalUSD)
	}
}
