package burstcost

import (
	"math"

	"k8s.io/kubernetes/pkg/scheduler/framework"
)

// Bounds of the raw score, a cost in nano-USD: costs are clamped to
// [minNanoUSD, maxNanoUSD] so that logarithms stay finite.
const (
	nanoPerUSD = 1e9
	minNanoUSD = 1
	maxNanoUSD = 1e15
)

// vmShare is the fraction of a VM that a pod takes: the larger of its CPU
// and memory shares of the node's allocatable.
//
//	share = max(podCPU / allocCPU, podMem / allocMem)
func vmShare(podCPU, podMem, allocCPU, allocMem int64) float64 {
	return max(ratio(podCPU, allocCPU), ratio(podMem, allocMem))
}

// freeAfter is the fraction of the VM still free once the pod is placed,
// on its scarcer resource, clamped to [0, 1].
//
//	freeAfter = 1 - max((usedCPU+podCPU)/allocCPU, (usedMem+podMem)/allocMem)
func freeAfter(podCPU, podMem, usedCPU, usedMem, allocCPU, allocMem int64) float64 {
	u := max(ratio(usedCPU+podCPU, allocCPU), ratio(usedMem+podMem, allocMem))
	return min(1, max(0, 1-u))
}

func ratio(a, b int64) float64 {
	if b <= 0 {
		if a <= 0 {
			return 0
		}
		return 1
	}
	return float64(a) / float64(b)
}

// vmMarginalUSD is what running a pod on a VM that is already paid for
// costs at the margin over a horizon of seconds:
//
//	cost = hourlyUSD × seconds/3600 × share × marginalFactor × (1 + packingFactor × freeAfter) / (1 + packingFactor)
//
// The marginal factor prices the sunk VM (0: free, 1: full price). The
// packing term makes a fuller VM cheaper, down to 1/(1+packingFactor) of
// the price for a VM the pod fills, so pods fill the VMs one after another
// and whole VMs stay free; a VM left empty costs the full marginal price,
// so packing never moves the line between VMs and serverless.
func vmMarginalUSD(hourlyUSD, seconds, share, marginalFactor, packingFactor, free float64) float64 {
	return hourlyUSD * seconds / 3600 * share * marginalFactor * (1 + packingFactor*free) / (1 + packingFactor)
}

// serverlessUSD is what running a pod on a virtual node costs: the
// backend's bill for the pod (including its cold start, which is billed)
// plus what the wait is worth to the user:
//
//	cost = bill(seconds + startupSeconds) + startupSeconds/60 × penaltyUSDPerMinute
func serverlessUSD(billUSD, startupSeconds, penaltyUSDPerMinute float64) float64 {
	return billUSD + startupSeconds/60*penaltyUSDPerMinute
}

// toRaw turns a cost in USD into the raw score (nano-USD, clamped).
func toRaw(usd float64) int64 {
	n := usd * nanoPerUSD
	if math.IsNaN(n) || n > maxNanoUSD {
		return maxNanoUSD
	}
	if n < minNanoUSD {
		return minNanoUSD
	}
	return int64(n)
}

// normalize maps raw costs onto scores by their ratio to the cheapest:
//
//	score = MaxNodeScore × cmin / c
//
// One currency, no stretching: a node that costs twice the cheapest
// scores 50, ten times 10, so a difference of a few percent (VMs packed a
// little differently, a shadow price just above a serverless bill) moves
// the score by a few points and leaves the decision to the other plugins,
// while a sunk VM against a serverless bill (about 10× apart) decides it.
// When all costs are equal every node scores MaxNodeScore.
func normalize(scores framework.NodeScoreList) {
	if len(scores) == 0 {
		return
	}
	lo := scores[0].Score
	for _, s := range scores[1:] {
		lo = min(lo, s.Score)
	}
	for i := range scores {
		s := float64(framework.MaxNodeScore) * float64(lo) / float64(max(scores[i].Score, 1))
		scores[i].Score = int64(math.Round(s))
	}
}
