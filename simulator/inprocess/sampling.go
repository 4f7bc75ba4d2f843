package inprocess

import "k8s.io/kubernetes/pkg/scheduler/framework"

// kube-scheduler's bounds of node sampling (pkg/scheduler/schedule_one.go).
const (
	minFeasibleNodesToFind           = 100
	minFeasibleNodesPercentageToFind = 5
)

// nodeSampling is kube-scheduler's percentageOfNodesToScore: the filter
// stops once it has found enough feasible nodes, and the next cycle starts
// where the last one stopped.
type nodeSampling struct {
	percentage int32 // 0: adaptive, as kube-scheduler's default
	next       int
}

// SampleNodes makes Schedule stop filtering once it has found the share of
// feasible nodes that kube-scheduler's percentageOfNodesToScore would
// (0: kube-scheduler's adaptive default, 50% minus 1% per 125 nodes, at
// least 5%; never fewer than 100 nodes), starting each cycle at the node
// after the last one examined, as kube-scheduler does. Placements then
// depend on the order pods were scheduled in, as they do in
// kube-scheduler; the simulator does not sample (below 100 nodes sampling
// changes nothing). percentage must be within 0..100.
func (s *Scheduler) SampleNodes(percentage int32) {
	s.sampling = &nodeSampling{percentage: percentage}
}

// numFeasibleNodesToFind is kube-scheduler's function of the same name.
func (n *nodeSampling) numFeasibleNodesToFind(all int) int {
	numAll := int32(all)
	if numAll < minFeasibleNodesToFind {
		return all
	}
	percentage := n.percentage
	if percentage == 0 {
		percentage = 50 - numAll/125
		if percentage < minFeasibleNodesPercentageToFind {
			percentage = minFeasibleNodesPercentageToFind
		}
	}
	num := numAll * percentage / 100
	if num < minFeasibleNodesToFind {
		return minFeasibleNodesToFind
	}
	return int(num)
}

// Framework returns the framework the scheduler runs, to call its plugins
// directly (the benchmarks measure each plugin's calls through it; it is
// the plugins' framework.Handle). Call Schedule or Sync first, so that its
// snapshot lists the cluster's nodes.
func (s *Scheduler) Framework() framework.Framework { return s.fw }

// Sync brings the framework's snapshot up to date with the cluster, as
// the start of every scheduling cycle does.
func (s *Scheduler) Sync() error { return s.cache.UpdateSnapshot(s.logger, s.snapshot) }
