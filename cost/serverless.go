package cost

import (
	"errors"
	"fmt"
	"math"
)

// ErrNoShape is wrapped by Round when no allowed shape can hold the pod.
var ErrNoShape = errors.New("no billable shape fits the pod")

// Shape is a billed pod size.
type Shape struct {
	CPUMilli  int64
	MemoryMiB int64
}

// Bill is what one pod costs on a serverless backend.
type Bill struct {
	Shape         Shape
	BilledSeconds int64
	USD           float64
}

const mib = 1 << 20

// Round returns the size a pod of the requested CPU (milli) and memory
// (bytes) is billed at: memory rounded up to MiB plus the overhead, then
// the first allowed combination that holds it, or step rounding.
func (p *ServerlessPrice) Round(cpuMilli, memoryBytes int64) (Shape, error) {
	cpuMilli, memoryBytes = max(cpuMilli, 0), max(memoryBytes, 0)
	memMiB := (memoryBytes+mib-1)/mib + p.Shape.MemoryOverheadMiB
	if len(p.Shape.Combinations) == 0 {
		return Shape{
			CPUMilli:  roundUp(max(cpuMilli, p.Shape.MinCPUMilli), p.Shape.CPUStepMilli),
			MemoryMiB: roundUp(max(memMiB, p.Shape.MinMemoryMiB), p.Shape.MemoryStepMiB),
		}, nil
	}
	for _, c := range p.Shape.Combinations {
		vcpuMilli := int64(math.Round(c.VCPU * 1000))
		if vcpuMilli < cpuMilli {
			continue
		}
		minMiB, maxMiB, stepMiB := gibToMiB(c.MinGiB), gibToMiB(c.MaxGiB), gibToMiB(c.StepGiB)
		if memMiB > maxMiB || stepMiB <= 0 {
			continue
		}
		size := minMiB
		if memMiB > minMiB {
			size = minMiB + roundUp(memMiB-minMiB, stepMiB)
		}
		if size <= maxMiB {
			return Shape{CPUMilli: vcpuMilli, MemoryMiB: size}, nil
		}
	}
	return Shape{}, fmt.Errorf("%s: %d mCPU and %d MiB (with overhead): %w", p.Name, cpuMilli, memMiB, ErrNoShape)
}

func gibToMiB(g float64) int64 { return int64(math.Round(g * 1024)) }

func roundUp(v, step int64) int64 {
	if step <= 1 {
		return v
	}
	return (v + step - 1) / step * step
}

// HourlyUSD is the price of one hour of a shape, without minimums.
func (p *ServerlessPrice) HourlyUSD(s Shape, spot bool) float64 {
	h := float64(s.CPUMilli)/1000*p.VCPUHourUSD + float64(s.MemoryMiB)/1024*p.GiBHourUSD
	if spot {
		h *= 1 - p.SpotDiscount
	}
	return h
}

// Bill prices a pod of the requested size that runs for seconds:
//
//	billedSeconds = max(MinimumBilledSeconds, ceil(seconds / Granularity) × Granularity)
//	USD           = billedSeconds / 3600 × (vCPU × VCPUHourUSD + GiB × GiBHourUSD) × (1 − SpotDiscount if spot)
//
// where vCPU and GiB are those of the rounded shape.
func (p *ServerlessPrice) Bill(cpuMilli, memoryBytes int64, seconds float64, spot bool) (Bill, error) {
	s, err := p.Round(cpuMilli, memoryBytes)
	if err != nil {
		return Bill{}, err
	}
	if !(seconds >= 0) || math.IsInf(seconds, 0) {
		return Bill{}, fmt.Errorf("%s: billed duration must be finite and >= 0, got %v", p.Name, seconds)
	}
	g := max(p.GranularitySeconds, 1)
	billed := max(int64(math.Ceil(seconds/float64(g)))*g, p.MinimumBilledSeconds)
	return Bill{Shape: s, BilledSeconds: billed, USD: float64(billed) / 3600 * p.HourlyUSD(s, spot)}, nil
}
