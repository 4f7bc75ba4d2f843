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

// minSpanRatio is the narrowest cost ratio that normalize stretches over
// the whole score range.
const minSpanRatio = 10

// normalize maps raw costs onto scores on a log scale, cheapest first:
//
//	score = MaxNodeScore × (1 − ln(c / cmin) / max(ln(cmax / cmin), ln 10))
//
// Costs span orders of magnitude (a sunk VM against a serverless bill), so
// a linear scale would squash the differences between VMs to nothing. But
// costs within a factor of 10 of each other are not stretched to the whole
// range: when only VMs are feasible and they differ by a few percent of
// packing, the cheapest scores 100 and the others a few points less, so
// that BurstCost does not overrule the spreading of replicas over a cost
// difference that small. Found by the simulator's fidelity test: stretched,
// a 5% packing difference was worth 500 points at weight 5 and piled every
// replica of a Deployment onto one worker. When all costs are equal every
// node scores MaxNodeScore.
func normalize(scores framework.NodeScoreList) {
	if len(scores) == 0 {
		return
	}
	lo, hi := scores[0].Score, scores[0].Score
	for _, s := range scores[1:] {
		lo, hi = min(lo, s.Score), max(hi, s.Score)
	}
	if lo == hi {
		for i := range scores {
			scores[i].Score = framework.MaxNodeScore
		}
		return
	}
	span := math.Max(math.Log(float64(hi)/float64(lo)), math.Log(minSpanRatio))
	for i := range scores {
		s := float64(framework.MaxNodeScore) * (1 - math.Log(float64(scores[i].Score)/float64(lo))/span)
		scores[i].Score = int64(math.Round(s))
	}
}
