package report

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spillway-dev/spillway/simulator"
)

var update = flag.Bool("update", false, "rewrite golden files")

// series builds n one-minute samples; f gives (cost rate USD/h of VMs,
// serverless USD per minute, cpu util, serverless pods) at minute m.
func series(n int, f func(m int) (float64, float64, float64, []int)) []simulator.Sample {
	var out []simulator.Sample
	cum := 0.0
	for m := 1; m <= n; m++ {
		vmRate, sl, cpu, pods := f(m)
		ded := vmRate / 60
		cum += ded + sl
		out = append(out, simulator.Sample{
			Minute: m, End: float64(60 * m), Seconds: 60, DedicatedUSD: ded, ServerlessUSD: sl,
			CumulativeUSD: cum, VMCPUUtil: cpu, PodsServerless: pods,
		})
	}
	return out
}

// wave is a deterministic daily-ish load shape in 0..1 peaking mid-run.
func wave(m, n int) float64 {
	return 0.5 - 0.5*math.Cos(2*math.Pi*float64(m)/float64(n))
}

func quantiles(scale, tail float64) []simulator.Quantile {
	var qs []simulator.Quantile
	for i := 0; i <= 100; i++ {
		q := float64(i) / 100
		qs = append(qs, simulator.Quantile{Q: q, Seconds: scale * (0.2 + q + tail*math.Pow(q, 12))})
	}
	return qs
}

func result(total, ded, sl float64, pods [3]int64, lat simulator.LatencySummary, s []simulator.Sample, q []simulator.Quantile) simulator.Result {
	return simulator.Result{
		Summary: simulator.Summary{
			Cost: simulator.CostSummary{TotalUSD: total, DedicatedUSD: ded, ServerlessUSD: sl},
			Pods: simulator.PodSummary{Total: pods[0] + pods[1] + pods[2], Dedicated: pods[0],
				Serverless: pods[1], Unscheduled: pods[2]},
			StartLatency: lat,
		},
		Backends: []string{"lambda"}, Series: s, LatencyQuantiles: q,
	}
}

func sampleReport() Report {
	const n = 360 // six hours
	spill := series(n, func(m int) (float64, float64, float64, []int) {
		w := wave(m, n)
		return 0.40, 0.004 * w, 0.35 + 0.55*w, []int{int(math.Round(14 * w * w))}
	})
	burst := series(n, func(m int) (float64, float64, float64, []int) {
		w := wave(m, n)
		return 0.40, 0.006 * w, 0.30 + 0.40*w, []int{int(math.Round(20 * w))}
	})
	peak := series(n, func(m int) (float64, float64, float64, []int) {
		return 1.60, 0, 0.10 + 0.45*wave(m, n), []int{0}
	})
	last := func(s []simulator.Sample) (float64, float64, float64) {
		var d, l float64
		for _, x := range s {
			d, l = d+x.DedicatedUSD, l+x.ServerlessUSD
		}
		return d + l, d, l
	}
	t1, d1, s1 := last(spill)
	t2, d2, s2 := last(burst)
	t3, d3, s3 := last(peak)
	return Report{
		Title:     "Spillway what-if: test trace (3 functions)",
		Trace:     "testdata/trace.csv",
		Generated: "2024-01-02 03:04 UTC, seed 1",
		Scenarios: []Scenario{
			{Name: "spillway", Description: "minimal cluster + Spillway profile",
				Result: result(t1, d1, s1, [3]int64{1200, 340, 2},
					simulator.LatencySummary{P50: 1.4, P95: 2.5, P99: 8.9, Max: 12.6, Mean: 1.6}, spill, quantiles(2, 4))},
			{Name: "default-burst", Description: "default kube-scheduler; pods tolerate the virtual node",
				Result: result(t2, d2, s2, [3]int64{900, 642, 0},
					simulator.LatencySummary{P50: 1.2, P95: 2.1, P99: 3.0, Max: 4.2, Mean: 1.3}, burst, quantiles(1.5, 1))},
			{Name: "vms-for-peak", Description: "VMs only, sized for the peak",
				Result: result(t3, d3, s3, [3]int64{1542, 0, 0},
					simulator.LatencySummary{P50: 0.4, P95: 0.9, P99: 1.1, Max: 1.3, Mean: 0.5}, peak, quantiles(0.5, 0.1))},
		},
		Notes: []string{"Prices: on-demand list prices, eu-west-1.", "Costs include the control plane."},
		Bound: &Bound{TotalUSD: 2.70, DedicatedUSD: 2.40, ServerlessUSD: 0.30, SpanS: 21600, Pods: 1542, PodsNowhere: 0, PeakCPUMilli: 12000, PeakMemBytes: 24 << 30},
	}
}

func render(t *testing.T, f func(*bytes.Buffer, Report) error, r Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b, r); err != nil {
		t.Fatalf("render: %v", err)
	}
	return b.String()
}

var writers = []struct {
	name string
	f    func(*bytes.Buffer, Report) error
}{
	{"report.md", func(b *bytes.Buffer, r Report) error { return WriteMarkdown(b, r) }},
	{"report.html", func(b *bytes.Buffer, r Report) error { return WriteHTML(b, r) }},
	{"summary.json", func(b *bytes.Buffer, r Report) error { return WriteSummary(b, r) }},
	{"table.txt", func(b *bytes.Buffer, r Report) error { return ComparisonTable(b, r) }},
}

func TestGolden(t *testing.T) {
	for _, tc := range writers {
		t.Run(tc.name, func(t *testing.T) {
			got := render(t, tc.f, sampleReport())
			path := filepath.Join("testdata", tc.name)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, tc := range writers {
		t.Run(tc.name, func(t *testing.T) {
			a, b := render(t, tc.f, sampleReport()), render(t, tc.f, sampleReport())
			if diff := cmp.Diff(a, b); diff != "" {
				t.Errorf("two renders differ (-first +second):\n%s", diff)
			}
		})
	}
}
