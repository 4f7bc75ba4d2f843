package whatif

import (
	"strings"
	"testing"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/report"
)

// Issue 14, finding 4: a trace whose peak is far above the cluster plus
// its serverless quota is said to be so, before a long run of pods that
// mostly wait.
func TestDemandText(t *testing.T) {
	minimal, err := cluster.Default().Build(cost.Default(), backends.Default())
	if err != nil {
		t.Fatal(err)
	}
	c := CapacityOf(minimal)
	if c.WorkersCPUMilli != 12000 || c.WorkersMemBytes != 48<<30 || c.QuotaCPUMilli != 100000 {
		t.Fatalf("minimal cluster capacity %+v, want 12 CPU, 48 GiB and ACI's 100-CPU quota", c)
	}
	tests := []struct {
		name        string
		b           report.Bound
		c           Capacity
		wantSummary string
		wantWarning string
	}{
		{"fits", report.Bound{PeakCPUMilli: 110500, PeakMemBytes: 200 << 30}, c,
			"Peak demand: 110.5 CPU and 200.0 GiB at once; the workers hold 12.0 CPU and 48.0 GiB, with a serverless quota of 100.0 CPU.", ""},
		{"one app at 2,800 CPU", report.Bound{PeakCPUMilli: 2800000, PeakMemBytes: 1 << 40, PodsNowhere: 3}, c,
			"3 pods fit no worker and no backend.", "Warning: the trace does not fit the cluster: its peak CPU is 25.0x the workers' allocatable plus the serverless quota"},
		{"a backend without quota bounds nothing", report.Bound{PeakCPUMilli: 2800000}, Capacity{WorkersCPUMilli: 12000, WorkersMemBytes: 48 << 30, QuotaCPUMilli: -1},
			"with no serverless quota", ""},
		{"no virtual node: memory counts", report.Bound{PeakCPUMilli: 1000, PeakMemBytes: 96 << 30}, Capacity{WorkersCPUMilli: 12000, WorkersMemBytes: 48 << 30},
			"with no serverless capacity", "its peak memory is 2.0x the workers' allocatable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, w := DemandText(tt.b, tt.c)
			if !strings.Contains(s, tt.wantSummary) {
				t.Errorf("summary %q lacks %q", s, tt.wantSummary)
			}
			if tt.wantWarning == "" && w != "" || !strings.Contains(w, tt.wantWarning) {
				t.Errorf("warning %q, want %q", w, tt.wantWarning)
			}
		})
	}
}
