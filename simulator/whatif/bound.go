package whatif

import (
	"fmt"
	"io"
	"math"
	"os"

	v1 "k8s.io/api/core/v1"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/report"
	"github.com/spillway-dev/spillway/simulator/trace"
)

// FluidOracle computes the fluid-oracle lower bound of what the trace
// costs on cluster c, from the trace alone (no scheduling), reading it
// once, in constant memory (the pods running at once, not the trace's
// length). until > 0 stops it there, as the simulator's --until does.
//
// Every pod runs from the moment the trace wants it (a bare pod from its
// create, a replica from its scale event, a Job's pods from the Job's
// scale event for its runFor) until it is deleted, scaled away or its
// runFor ends: perfect packing, no waiting, no cold start. Then
//
//	bound = VM + ∫₀ᵀ [ ρ_cpu·(C(t) − c*(t)) + ρ_mem·(M(t) − m*(t)) + S(t) ] dt
//	VM    = (Σ hourly price of every dedicated node, control plane included) / 3600 × T
//
// where T is the span the simulator bills (to the last event or pod end,
// or until); C(t) and M(t) are the CPU and memory requests of the running
// pods that fit in one worker's allocatable; c*(t) and m*(t) are the most
// of them that the workers' total allocatable A_cpu, A_mem (dedicated
// nodes not tainted NoSchedule or NoExecute) holds when pods may be split
// but keep their own mix of CPU and memory (a fractional knapsack over
// both resources; shapeSet.fluidOnVMs), so the pods left over are paid
// with their memory as well as their CPU; ρ_cpu and ρ_mem are the lowest
// per-vCPU-second and per-GiB-second prices among the cluster's virtual
// nodes (from the price catalog the simulator bills with; a virtual node
// without a bill, a peer cluster, prices both at 0); and S(t) is the
// per-second price, at its cheapest admitting backend's rates, of the
// running pods that fit no worker but some virtual node runs (the backend
// admits it, the pod tolerates the node's taints, a billable shape holds
// it). Serverless time is paid per second at the requests, without the
// backends' shape rounding or minimums. Pods that no worker and no
// virtual node can run stay unscheduled in every scenario and are left
// out (Bound.PodsNowhere). With no virtual node, the excess has nowhere to
// go and is not priced: the bound is the VMs. Above maxShapesFluid
// distinct requests running at once, c* and m* are min(C, A_cpu) and
// min(M, A_mem) (CPU and memory packed separately: lower still).
//
// It is a lower bound on every scenario that runs the same pods on the
// same cluster: no scenario bills the VMs for less than T, runs a pod for
// less than the trace wants, or fits more on the workers than their
// allocatable. It ignores the backends' quotas and node affinity, which
// only make a real schedule cost more or run less.
func FluidOracle(r io.Reader, source string, c *cluster.Cluster, until float64) (report.Bound, error) {
	if until < 0 || math.IsNaN(until) || math.IsInf(until, 0) {
		return report.Bound{}, fmt.Errorf("fluid oracle: until: want a finite number of seconds >= 0, got %v", until)
	}
	p := newPricing(c)
	var onVMs shapeSet
	w := newWalker(p.shapeOf, func(s *shape, n int64) {
		if s.class == onVM {
			onVMs.add(s.cpuMilli, s.memBytes, n)
		}
	})
	var b report.Bound
	var srv float64
	span, err := w.walk(trace.NewReader(r, source), until, func(from, to float64) {
		dCPU, dMem := w.cpu[onVM], w.mem[onVM]
		b.PeakCPUMilli = max(b.PeakCPUMilli, dCPU+w.cpu[serverlessOnly])
		b.PeakMemBytes = max(b.PeakMemBytes, dMem+w.mem[serverlessOnly])
		if !p.virtual {
			return
		}
		rate := w.usdPerS
		if dCPU > p.allocCPU || dMem > p.allocMem {
			var vmCPU, vmMem float64
			if len(onVMs.s) <= maxShapesFluid {
				vmCPU, vmMem = onVMs.fluidOnVMs(p.allocCPU, p.allocMem)
			} else {
				vmCPU, vmMem = float64(min(dCPU, p.allocCPU)), float64(min(dMem, p.allocMem))
			}
			rate += (float64(dCPU)-vmCPU)*p.cpuPerMilliS + (float64(dMem)-vmMem)*p.memPerByteS
		}
		srv += (to - from) * rate
	})
	if err != nil {
		return report.Bound{}, fmt.Errorf("fluid oracle: %w", err)
	}
	b.SpanS = span
	b.DedicatedUSD = c.DedicatedHourlyUSD() / 3600 * span
	b.ServerlessUSD = srv
	b.TotalUSD = b.DedicatedUSD + b.ServerlessUSD
	b.Pods, b.PodsNowhere = w.pods, w.skipped
	return b, nil
}

// maxShapesFluid bounds the distinct requests the joint CPU-and-memory
// packing walks at one instant; above it, the bound packs CPU and memory
// separately (lower still, and a walk-free sum).
const maxShapesFluid = 4096

// pricing is what the oracle needs of a cluster.
type pricing struct {
	allocCPU, allocMem int64 // all workers together
	workers            [][2]int64
	virtual            bool // some virtual node
	// cpuPerMilliS and memPerByteS are the lowest serverless prices.
	cpuPerMilliS, memPerByteS float64
	nodes                     []cluster.Virtual
}

func newPricing(c *cluster.Cluster) *pricing {
	p := &pricing{cpuPerMilliS: math.Inf(1), memPerByteS: math.Inf(1)}
	for _, d := range c.Dedicated {
		if !d.Workload {
			continue
		}
		a := d.Node.Status.Allocatable
		cpu, mem := a.Cpu().MilliValue(), a.Memory().Value()
		p.allocCPU += cpu
		p.allocMem += mem
		p.workers = append(p.workers, [2]int64{cpu, mem})
	}
	for _, v := range c.Virtual {
		p.virtual = true
		p.nodes = append(p.nodes, v)
		cpu, mem := 0.0, 0.0
		if v.Price != nil {
			cpu, mem = v.Price.VCPUHourUSD/3600/1000, v.Price.GiBHourUSD/3600/(1<<30)
		}
		p.cpuPerMilliS = min(p.cpuPerMilliS, cpu)
		p.memPerByteS = min(p.memPerByteS, mem)
	}
	if !p.virtual {
		p.cpuPerMilliS, p.memPerByteS = 0, 0
	}
	return p
}

// shapeOf classifies a pod: on a worker, serverless only (at its cheapest
// admitting virtual node's price per second), or nowhere.
func (p *pricing) shapeOf(pod *v1.Pod) shape {
	cpu, mem := requests(pod)
	s := shape{cpuMilli: cpu, memBytes: mem}
	for _, w := range p.workers {
		if cpu <= w[0] && mem <= w[1] {
			return s
		}
	}
	s.class = nowhere
	var prof *backends.PodProfile
	best := math.Inf(1)
	for _, v := range p.nodes {
		if _, untolerated := corev1helpers.FindMatchingUntoleratedTaint(v.Node.Spec.Taints, pod.Spec.Tolerations, noScheduleOrExecute); untolerated {
			continue
		}
		if prof == nil {
			pp := backends.NewPodProfile(pod)
			prof = &pp
		}
		if v.Backend.Admit(prof) != nil {
			continue
		}
		rate := 0.0
		if v.Price != nil {
			if _, err := v.Price.Round(cpu, mem); err != nil {
				continue
			}
			rate = float64(cpu)/1000*v.Price.VCPUHourUSD/3600 + float64(mem)/(1<<30)*v.Price.GiBHourUSD/3600
		}
		best = min(best, rate)
	}
	if !math.IsInf(best, 1) {
		s.class, s.usdPerS = serverlessOnly, best
	}
	return s
}

func noScheduleOrExecute(t *v1.Taint) bool {
	return t.Effect == v1.TaintEffectNoSchedule || t.Effect == v1.TaintEffectNoExecute
}

// OracleBound is FluidOracle on o's trace (to o.Until) and the cluster
// file f (nil: the default cluster), built with o's catalogs.
func OracleBound(o Options, f *cluster.File) (*report.Bound, error) {
	if f == nil {
		f = cluster.Default()
	}
	c, err := f.Build(o.Prices, o.Backends)
	if err != nil {
		return nil, err
	}
	tf, err := os.Open(o.TracePath)
	if err != nil {
		return nil, err
	}
	defer tf.Close()
	b, err := FluidOracle(tf, o.TracePath, c, o.Until)
	if err != nil {
		return nil, err
	}
	return &b, nil
}
