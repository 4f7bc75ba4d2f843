package cost

import (
	"errors"
	"fmt"
	"math"
)

// ErrNoShape is wrapped by Round (and Bill) when no allowed shape can hold
// the pod, e.g. more than 16 vCPU on Fargate.
var ErrNoShape = errors.New("no billable shape fits the pod")

// Shape is a billed pod size.
type Shape struct {
	CPUMilli  int64
	MemoryMiB int64
}

// Bill is what one pod costs on a serverless backend.
type Bill struct {
	Shape         Shape // the billed size
	BilledSeconds int64 // the billed duration
	USD           float64
}

const (
	mib = 1 << 20
	// maxBilledSeconds bounds durations (about 35,000 years) so that the
	// billed seconds are exact in a float64 and an int64.
	maxBilledSeconds = 1 << 40
)

// Round returns the size a pod requesting cpuMilli millicores and
// memoryBytes bytes is billed at:
//
//	cpu    = cpuMilli, or Shape.DefaultCPUMilli if cpuMilli is 0
//	memMiB = ceil(memoryBytes / 2^20), or Shape.DefaultMemoryMiB if memoryBytes is 0
//	memMiB = memMiB + Shape.MemoryOverheadMiB
//
// then, with combinations, the first combination (ascending vCPU) with
// vCPU×1000 >= cpu and a size m = MinGiB + k×StepGiB <= MaxGiB with
// m >= memMiB/1024, billed at the smallest such m; without them
//
//	CPUMilli  = ceil(max(cpu, MinCPUMilli) / CPUStepMilli) × CPUStepMilli
//	MemoryMiB = ceil(max(memMiB, MinMemoryMiB) / MemoryStepMiB) × MemoryStepMiB
//
// The error wraps ErrNoShape when no combination holds the pod; negative
// requests are an error too.
func (p *ServerlessPrice) Round(cpuMilli, memoryBytes int64) (Shape, error) {
	if cpuMilli < 0 || memoryBytes < 0 {
		return Shape{}, fmt.Errorf("%s: negative request (%d mCPU, %d bytes)", p.Name, cpuMilli, memoryBytes)
	}
	r := &p.Shape
	if cpuMilli == 0 {
		cpuMilli = r.DefaultCPUMilli
	}
	memMiB := memoryBytes / mib
	if memoryBytes%mib != 0 {
		memMiB++
	}
	if memoryBytes == 0 {
		memMiB = r.DefaultMemoryMiB
	}
	memMiB += r.MemoryOverheadMiB
	if len(r.Combinations) == 0 {
		cpu, okCPU := roundUp(max(cpuMilli, r.MinCPUMilli), r.CPUStepMilli)
		mem, okMem := roundUp(max(memMiB, r.MinMemoryMiB), r.MemoryStepMiB)
		if okCPU && okMem {
			return Shape{CPUMilli: cpu, MemoryMiB: mem}, nil
		}
		return Shape{}, p.noShape(cpuMilli, memMiB)
	}
	for i := range r.Combinations {
		c := &r.Combinations[i]
		vcpu := int64(math.Round(c.VCPU * 1000))
		if vcpu < cpuMilli {
			continue
		}
		lo, hi, step := gibToMiB(c.MinGiB), gibToMiB(c.MaxGiB), gibToMiB(c.StepGiB)
		need := max(memMiB, lo)
		if step <= 0 || need > hi {
			continue
		}
		if size := lo + (need-lo+step-1)/step*step; size <= hi {
			return Shape{CPUMilli: vcpu, MemoryMiB: size}, nil
		}
	}
	return Shape{}, p.noShape(cpuMilli, memMiB)
}

func (p *ServerlessPrice) noShape(cpuMilli, memMiB int64) error {
	return fmt.Errorf("%s: %d mCPU and %d MiB (with overhead): %w", p.Name, cpuMilli, memMiB, ErrNoShape)
}

// gibToMiB converts a catalog's GiB, a whole number of MiB, to MiB.
func gibToMiB(g float64) int64 { return int64(math.Round(g * 1024)) }

// roundUp rounds v up to a multiple of step; false if that overflows.
func roundUp(v, step int64) (int64, bool) {
	if step <= 1 {
		return v, true
	}
	if v > math.MaxInt64-(step-1) {
		return 0, false
	}
	return (v + step - 1) / step * step, true
}

// HourlyUSD is the price of one hour of a shape, without minimums:
//
//	USD/h = (CPUMilli/1000 × VCPUHourUSD + MemoryMiB/1024 × GiBHourUSD) × (1 − SpotDiscount if spot)
func (p *ServerlessPrice) HourlyUSD(s Shape, spot bool) float64 {
	h := float64(s.CPUMilli)/1000*p.VCPUHourUSD + float64(s.MemoryMiB)/1024*p.GiBHourUSD
	if spot {
		h *= 1 - p.SpotDiscount
	}
	return h
}

// Bill prices a pod of the given requested size that runs for seconds
// (finite, >= 0): the shape is Round's, and
//
//	billedSeconds = max(MinimumBilledSeconds, ceil(seconds / GranularitySeconds) × GranularitySeconds)
//	USD           = billedSeconds / 3600 × HourlyUSD(shape, spot)
//	              = billedSeconds / 3600 × (vCPU × VCPUHourUSD + GiB × GiBHourUSD) × (1 − SpotDiscount if spot)
//
// The error wraps ErrNoShape when no shape holds the pod.
func (p *ServerlessPrice) Bill(cpuMilli, memoryBytes int64, seconds float64, spot bool) (Bill, error) {
	if !(seconds >= 0 && seconds <= maxBilledSeconds) {
		return Bill{}, fmt.Errorf("%s: run time must be between 0 and %d seconds, got %v", p.Name, int64(maxBilledSeconds), seconds)
	}
	s, err := p.Round(cpuMilli, memoryBytes)
	if err != nil {
		return Bill{}, err
	}
	g := float64(max(p.GranularitySeconds, 1))
	billed := math.Ceil(seconds/g) * g
	if billed > 2*maxBilledSeconds { // a granularity beyond Validate's bound
		return Bill{}, fmt.Errorf("%s: granularity %d s is too coarse", p.Name, p.GranularitySeconds)
	}
	b := max(int64(billed), p.MinimumBilledSeconds)
	return Bill{Shape: s, BilledSeconds: b, USD: float64(b) / 3600 * p.HourlyUSD(s, spot)}, nil
}
