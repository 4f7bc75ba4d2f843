package inprocess

import "testing"

// kube-scheduler's numFeasibleNodesToFind, worked out by hand from its
// formula: adaptive (0) and explicit percentages, and the 100-node floor.
func TestNumFeasibleNodesToFind(t *testing.T) {
	for _, tc := range []struct {
		percentage int32
		nodes      int
		want       int
	}{
		{0, 10, 10},
		{0, 99, 99},
		{0, 100, 100},
		{0, 1000, 420},
		{0, 5000, 500},
		{0, 6000, 300},
		{0, 10000, 500},
		{40, 10, 10},
		{40, 1000, 400},
		{10, 500, 100},
		{100, 5000, 5000},
	} {
		n := nodeSampling{percentage: tc.percentage}
		if got := n.numFeasibleNodesToFind(tc.nodes); got != tc.want {
			t.Errorf("percentage %d, %d nodes: got %d, want %d", tc.percentage, tc.nodes, got, tc.want)
		}
	}
}
