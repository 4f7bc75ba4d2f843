package steadiness

import (
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	base := classInput{kind: "Deployment", minHistory: 5 * time.Minute, longJob: time.Hour}
	with := func(f func(*classInput)) classInput { in := base; f(&in); return in }
	tests := []struct {
		name       string
		in         classInput
		want       Class
		wantReason string
	}{
		{"fresh deployment is neutral", base, Neutral, "noHistory"},
		{"override steady", with(func(i *classInput) { i.override = "steady"; i.kind = "Job" }), Steady, "annotation"},
		{"override burst beats history", with(func(i *classInput) {
			i.override = "burst"
			i.observed, i.base, i.count = time.Hour, 10, 0
		}), Burst, "annotation"},
		{"replica within the base", with(func(i *classInput) { i.observed, i.base, i.count = time.Hour, 6, 5 }), Steady, "history"},
		{"replica above the base", with(func(i *classInput) { i.observed, i.base, i.count = time.Hour, 6, 6 }), Burst, "history"},
		{"too little history", with(func(i *classInput) { i.observed, i.base, i.count = time.Minute, 6, 0 }), Neutral, "noHistory"},
		{"bare pods ignore history", with(func(i *classInput) { i.kind = "Pod"; i.observed, i.base = time.Hour, 6 }), Neutral, "noHistory"},
		{"statefulset prior", with(func(i *classInput) { i.kind = "StatefulSet" }), Steady, "kind"},
		{"job prior", with(func(i *classInput) { i.kind = "Job" }), Burst, "kind"},
		{"long-running job", with(func(i *classInput) { i.kind = "Job"; i.expected = 2 * time.Hour }), Steady, "longRunningJob"},
		{"job exactly at the threshold", with(func(i *classInput) { i.kind = "Job"; i.expected = time.Hour }), Steady, "longRunningJob"},
		{"minHistory 0 trusts any history", with(func(i *classInput) {
			i.minHistory = 0
			i.observed, i.base, i.count = time.Second, 1, 0
		}), Steady, "history"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := classify(tt.in)
			if got != tt.want || reason != tt.wantReason {
				t.Errorf("classify() = %s (%s), want %s (%s)", got, reason, tt.want, tt.wantReason)
			}
		})
	}
}

func TestNodeScores(t *testing.T) {
	tests := []struct {
		class       Class
		u, headroom float64
		vm, virtual int64
	}{
		{Steady, 0.99, 0.8, 100, 0},
		{Steady, 0.1, 0.8, 100, 0},
		{Burst, 0.79, 0.8, 50, 50},
		{Burst, 0.8, 0.8, 50, 50}, // at the threshold, not above it
		{Burst, 0.81, 0.8, 0, 100},
		{Burst, 1.2, 0.8, 0, 100},
		{Burst, 0, 0, 50, 50},
		{Burst, 0.01, 0, 0, 100},
		{Burst, 0.99, 1, 50, 50},
		{Burst, 1, 1, 50, 50}, // a pod that exactly fills the VMs stays (was 0, 100)
		{Neutral, 0.99, 0.8, 50, 50},
	}
	for _, tt := range tests {
		vm, virtual := nodeScores(tt.class, tt.u, tt.headroom)
		if vm != tt.vm || virtual != tt.virtual {
			t.Errorf("nodeScores(%s, u=%v, h=%v) = %d, %d; want %d, %d", tt.class, tt.u, tt.headroom, vm, virtual, tt.vm, tt.virtual)
		}
	}
}

func TestUtilisation(t *testing.T) {
	tests := []struct {
		reqCPU, reqMem, allocCPU, allocMem int64
		want                               float64
	}{
		{6000, 8 << 30, 12000, 48 << 30, 0.5},
		{1000, 36 << 30, 12000, 48 << 30, 0.75},
		{0, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		if got := utilisation(tt.reqCPU, tt.reqMem, tt.allocCPU, tt.allocMem); got != tt.want {
			t.Errorf("utilisation(%+v) = %v, want %v", tt, got, tt.want)
		}
	}
}
