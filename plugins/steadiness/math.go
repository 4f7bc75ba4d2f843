package steadiness

import (
	"time"

	"k8s.io/kubernetes/pkg/scheduler/framework"
)

// Class is what part of its workload a pod is.
type Class string

// Classes of pods.
const (
	// Steady pods are the workload's base: they strongly prefer VMs.
	Steady Class = "steady"
	// Burst pods are above the base: they prefer serverless nodes once the
	// VMs pass the headroom threshold.
	Burst Class = "burst"
	// Neutral pods have no preference; cost decides.
	Neutral Class = "neutral"
)

// classInput is what classify needs to know about a pod.
type classInput struct {
	override   string        // spillway.dev/steadiness: "steady", "burst" or ""
	kind       string        // owner kind (workload.Kind*), "Pod" for bare pods
	count      int           // the owner's replicas placed now, not counting this pod
	base       int           // the owner's steady base: percentile of its count over the window
	observed   time.Duration // how long the owner has been observed
	expected   time.Duration // the pod's own lifetime estimate, 0 if none
	minHistory time.Duration
	longJob    time.Duration
}

// classify decides a pod's class, in order:
//  1. the override annotation;
//  2. an owner observed for at least minHistory: the pod would be replica
//     number count+1, which is steady if count+1 <= base, else burst;
//  3. kind priors: StatefulSet steady; Job burst unless it is expected to
//     run at least longRunningJob; anything else (Deployments without
//     enough history, bare pods) neutral.
func classify(in classInput) (Class, string) {
	switch in.override {
	case "steady":
		return Steady, "annotation"
	case "burst":
		return Burst, "annotation"
	}
	if in.kind != "Pod" && in.observed > 0 && in.observed >= in.minHistory {
		if in.count+1 <= in.base {
			return Steady, "history"
		}
		return Burst, "history"
	}
	switch in.kind {
	case "StatefulSet":
		return Steady, "kind"
	case "Job":
		if in.expected >= in.longJob {
			return Steady, "longRunningJob"
		}
		return Burst, "kind"
	}
	return Neutral, "noHistory"
}

// nodeScores returns the scores of a VM and of a virtual node:
//
//	steady:                         VM 100, virtual 0
//	burst, VM utilisation > h:      VM 0,   virtual 100
//	burst up to h, and neutral:     VM 50,  virtual 50
//
// where VM utilisation is the dedicated nodes' requested share (the larger
// of CPU and memory) once the pod is added, and h the headroom threshold.
func nodeScores(c Class, vmUtilisation, headroom float64) (vm, virtual int64) {
	const half = framework.MaxNodeScore / 2
	switch {
	case c == Steady:
		return framework.MaxNodeScore, framework.MinNodeScore
	case c == Burst && vmUtilisation > headroom:
		return framework.MinNodeScore, framework.MaxNodeScore
	default:
		return half, half
	}
}

// utilisation is the larger of the requested CPU and memory shares.
func utilisation(reqCPU, reqMem, allocCPU, allocMem int64) float64 {
	u := 0.0
	if allocCPU > 0 {
		u = float64(reqCPU) / float64(allocCPU)
	}
	if allocMem > 0 {
		u = max(u, float64(reqMem)/float64(allocMem))
	}
	return u
}
