package simulator

import (
	"context"
	"strings"
	"testing"

	"github.com/spillway-dev/spillway/simulator/trace"
)

// Issue 15, finding 2: --until 2000000h kept a per-minute series of 228
// years in memory; Run now refuses an until past a trace's bound.
func TestRunRefusesUntilPastTheBound(t *testing.T) {
	for _, until := range []float64{-1, trace.MaxSeconds + 1, 2000000 * 3600} {
		_, err := Run(context.Background(), Config{Trace: strings.NewReader(""), TraceName: "t", Cluster: defaultCluster(t),
			Profile: profile(t, "spillway"), Until: until})
		if err == nil || !strings.Contains(err.Error(), "until: want 0..2678400 seconds") {
			t.Errorf("until %v: err = %v", until, err)
		}
	}
}

// A cold start drawn from a cluster file's wide distribution (a tiny p50,
// the largest p95) stays within a trace's bound, so does the series.
func TestColdStartBounded(t *testing.T) {
	c := buildCluster(t, `apiVersion: spillway.dev/v1alpha1
kind: SimulatedCluster
nodeGroups: [{name: w, instanceType: m5.large, count: 1, taints: [{key: k, effect: NoSchedule}]}]
virtualNodes:
- {name: v, backend: aci, startupSeconds: {p50: 1e-12, p95: 3600}}
`)
	var tr []string
	for i := range 20 {
		tr = append(tr, `{"at":0,"op":"create","pod":`+pod("p"+string(rune('a'+i)), "100m", "128Mi", tolerateAll)+`,"runFor":1}`)
	}
	e := run(t, c, "default-scheduler", lines(tr...), 1, nil)
	res := e.result()
	if got := res.Summary.Sim.SimulatedS; got > trace.MaxSeconds+1 {
		t.Errorf("simulated %v s, more than a trace's bound %d (+ runFor)", got, trace.MaxSeconds)
	}
	if res.Summary.Pods.Serverless != 20 {
		t.Errorf("serverless pods = %d, want 20", res.Summary.Pods.Serverless)
	}
}
