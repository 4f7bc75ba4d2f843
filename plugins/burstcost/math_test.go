package burstcost

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/kubernetes/pkg/scheduler/framework"
)

const gi = 1 << 30

func TestVMShareAndFreeAfter(t *testing.T) {
	tests := []struct {
		name                string
		podCPU, podMem      int64
		usedCPU, usedMem    int64
		allocCPU, allocMem  int64
		wantShare, wantFree float64
	}{
		{"cpu-bound pod on an empty node", 1000, 1 * gi, 0, 0, 4000, 16 * gi, 0.25, 0.75},
		{"memory-bound pod", 500, 8 * gi, 0, 0, 4000, 16 * gi, 0.5, 0.5},
		{"filling the node", 1000, 2 * gi, 3000, 4 * gi, 4000, 16 * gi, 0.25, 0},
		{"overcommitted clamps to 0", 2000, 0, 3000, 0, 4000, 16 * gi, 0.5, 0},
		{"zero allocatable", 100, 0, 0, 0, 0, 16 * gi, 1, 0},
		{"zero-request pod", 0, 0, 0, 0, 4000, 16 * gi, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			share := vmShare(tt.podCPU, tt.podMem, tt.allocCPU, tt.allocMem)
			free := freeAfter(tt.podCPU, tt.podMem, tt.usedCPU, tt.usedMem, tt.allocCPU, tt.allocMem)
			if math.Abs(share-tt.wantShare) > 1e-12 || math.Abs(free-tt.wantFree) > 1e-12 {
				t.Errorf("share, free = %v, %v; want %v, %v", share, free, tt.wantShare, tt.wantFree)
			}
		})
	}
}

func TestVMMarginalUSD(t *testing.T) {
	// A quarter of an m5.xlarge ($0.192/h) for an hour at a 0.1 marginal
	// factor, on a node left half free, packing factor 1:
	// 0.192 × 1 × 0.25 × 0.1 × 1.5 / 2.
	got := vmMarginalUSD(0.192, 3600, 0.25, 0.1, 1, 0.5)
	if want := 0.0036; math.Abs(got-want) > 1e-12 {
		t.Errorf("vmMarginalUSD = %v, want %v", got, want)
	}
	emptier := vmMarginalUSD(0.192, 3600, 0.25, 0.1, 1, 0.75)
	fuller := vmMarginalUSD(0.192, 3600, 0.25, 0.1, 1, 0)
	if !(fuller < got && got < emptier) {
		t.Errorf("packing: want fuller < half-free < emptier, got %v, %v, %v", fuller, got, emptier)
	}
	if vmMarginalUSD(0.192, 3600, 0.25, 0, 1, 0.5) != 0 {
		t.Errorf("a zero marginal factor must make the VM free")
	}
	// Packing never makes a VM dearer than its nominal marginal price.
	for _, p := range []float64{0, 0.5, 1, 10} {
		if got, nominal := vmMarginalUSD(0.192, 3600, 0.25, 1, p, 1), 0.192*0.25; math.Abs(got-nominal) > 1e-12 {
			t.Errorf("packing %v: an empty VM costs %v, want the nominal %v", p, got, nominal)
		}
	}
}

func TestServerlessUSD(t *testing.T) {
	if got, want := serverlessUSD(0.05, 30, 0.01), 0.055; math.Abs(got-want) > 1e-12 {
		t.Errorf("serverlessUSD = %v, want %v", got, want)
	}
}

func TestToRaw(t *testing.T) {
	for usd, want := range map[float64]int64{0: minNanoUSD, 1e-12: minNanoUSD, 0.5: 5e8, 1e9: maxNanoUSD, math.Inf(1): maxNanoUSD, math.NaN(): maxNanoUSD} {
		if got := toRaw(usd); got != want {
			t.Errorf("toRaw(%v) = %d, want %d", usd, got, want)
		}
	}
}

func TestNormalize(t *testing.T) {
	list := func(raw ...int64) framework.NodeScoreList {
		l := make(framework.NodeScoreList, len(raw))
		for i, r := range raw {
			l[i] = framework.NodeScore{Name: string(rune('a' + i)), Score: r}
		}
		return l
	}
	tests := []struct {
		name string
		raw  []int64
		want []int64
	}{
		{"empty", nil, nil},
		{"all equal", []int64{7, 7, 7}, []int64{100, 100, 100}},
		// score = 100 × cmin / c: proportional to money, never stretched.
		{"a factor of 2 is half", []int64{100, 200}, []int64{100, 50}},
		{"a sunk VM against a bill 10x dearer", []int64{100, 1000}, []int64{100, 10}},
		{"three costs", []int64{10, 100, 1000}, []int64{100, 10, 1}},
		// VMs a few percent apart by packing stay a few points apart, so
		// BurstCost does not overrule the other plugins over it.
		{"VMs only, 5% apart, stay close", []int64{1_000_000, 1_050_000}, []int64{100, 95}},
		{"VMs that differ by packing stay apart", []int64{2_400_000, 3_600_000, 30_000_000}, []int64{100, 67, 8}},
		{"a cost a million times dearer rounds to 0", []int64{1, 1_000_000}, []int64{100, 0}},
		{"unsorted input", []int64{300, 100, 200}, []int64{33, 100, 50}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := list(tt.raw...)
			normalize(l)
			got := make([]int64, len(l))
			for i := range l {
				got[i] = l[i].Score
			}
			if len(tt.want) == 0 && len(got) == 0 {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("normalize (-want +got):\n%s", diff)
			}
		})
	}
}
