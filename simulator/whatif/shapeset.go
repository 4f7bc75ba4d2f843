package whatif

import (
	"cmp"
	"math"
	"slices"
)

// shapeCount is how many running pods have one (CPU, memory) request.
type shapeCount struct {
	cpuMilli, memBytes int64
	ratio              float64 // memBytes / cpuMilli; +Inf for no CPU
	n                  int64
}

// shapeSet counts the running pods by request, sorted by memory per CPU
// (then CPU, then memory), so that walks over it are deterministic. It
// holds the distinct requests running at once, not every one ever seen.
type shapeSet struct{ s []shapeCount }

func compareShape(a, b *shapeCount) int {
	if c := cmp.Compare(a.ratio, b.ratio); c != 0 {
		return c
	}
	if c := cmp.Compare(a.cpuMilli, b.cpuMilli); c != 0 {
		return c
	}
	return cmp.Compare(a.memBytes, b.memBytes)
}

// add counts n more (n < 0: fewer) pods of the request.
func (ss *shapeSet) add(cpuMilli, memBytes, n int64) {
	k := shapeCount{cpuMilli: cpuMilli, memBytes: memBytes, ratio: math.Inf(1)}
	if cpuMilli > 0 {
		k.ratio = float64(memBytes) / float64(cpuMilli)
	}
	i, found := slices.BinarySearchFunc(ss.s, &k, func(e shapeCount, t *shapeCount) int { return compareShape(&e, t) })
	if !found {
		k.n = n
		ss.s = slices.Insert(ss.s, i, k)
		return
	}
	ss.s[i].n += n
	if ss.s[i].n == 0 {
		ss.s = slices.Delete(ss.s, i, i+1)
	}
}

// fluidOnVMs is the most of the pods' requests that fits in allocCPU and
// allocMem if pods may be split (a fractional knapsack over both
// resources at once), maximising ρcpu·cpu + ρmem·mem: the CPU and memory
// a perfect packing would keep on the VMs. With D the pods' total
// requests, the VMs can hold any mix between two chains: L(c), the least
// memory that comes with c of CPU (memory-light pods first), and U(c),
// the most (memory-heavy first). Both terms of the objective grow with c,
// so the best is
//
//	c* = min(allocCPU, D_cpu, L⁻¹(allocMem))
//	m* = min(U(c*), allocMem)
func (ss *shapeSet) fluidOnVMs(allocCPU, allocMem int64) (cpu, mem float64) {
	// L⁻¹(allocMem): CPU taken memory-light first until memory runs out.
	var dCPU, lc, lm float64
	full := false
	for _, e := range ss.s {
		dc, dm := float64(e.n*e.cpuMilli), float64(e.n*e.memBytes)
		dCPU += dc
		if full {
			continue
		}
		if lm+dm <= float64(allocMem) {
			lc, lm = lc+dc, lm+dm
		} else {
			lc += (float64(allocMem) - lm) / dm * dc
			full = true
		}
	}
	c := min(float64(allocCPU), dCPU, lc)
	// U(c): memory taken memory-heavy first until CPU reaches c.
	var uc, um float64
	for i := len(ss.s) - 1; i >= 0; i-- {
		e := ss.s[i]
		dc, dm := float64(e.n*e.cpuMilli), float64(e.n*e.memBytes)
		if uc+dc <= c {
			uc, um = uc+dc, um+dm
			continue
		}
		um += (c - uc) / dc * dm
		break
	}
	return c, min(um, float64(allocMem))
}
