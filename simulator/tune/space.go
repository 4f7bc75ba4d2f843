package tune

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// The names of the searched parameters, as in the tune file's space and in
// results.jsonl.
const (
	ParamBurstCostWeight   = "burstCostWeight"
	ParamSteadinessWeight  = "steadinessWeight"
	ParamVMHeadroomPercent = "vmHeadroomPercent"
	ParamWindow            = "window"
	ParamBasePercentile    = "basePercentile"
	ParamDefaultHorizon    = "defaultHorizon"
	ParamWorkerType        = "workerInstanceType"
	ParamWorkerCount       = "workerCount"
)

type paramKind int

const (
	kindInt      paramKind = iota // integers Min..Max
	kindDuration                  // seconds Min..Max, log scale
	kindChoice                    // index into Choices
)

// param is one searched dimension.
type param struct {
	name     string
	kind     paramKind
	min, max float64
	choices  []string
}

// levels is how many distinct values the parameter has (0: continuous).
func (p param) levels() int {
	switch p.kind {
	case kindInt:
		return int(p.max-p.min) + 1
	case kindChoice:
		return len(p.choices)
	}
	return 0
}

// value maps u in [0, 1) to the parameter's value: an integer, whole
// seconds, or a choice index.
func (p param) value(u float64) float64 {
	u = math.Min(math.Max(u, 0), math.Nextafter(1, 0))
	switch p.kind {
	case kindDuration:
		if p.min == p.max {
			return p.min
		}
		return math.Round(math.Exp(math.Log(p.min) + u*(math.Log(p.max)-math.Log(p.min))))
	case kindChoice:
		return math.Floor(u * float64(len(p.choices)))
	}
	return p.min + math.Floor(u*float64(p.levels()))
}

// unit is value's inverse: the centre of the value's cell in [0, 1).
func (p param) unit(v float64) float64 {
	switch p.kind {
	case kindDuration:
		if p.min == p.max {
			return 0.5
		}
		return (math.Log(v) - math.Log(p.min)) / (math.Log(p.max) - math.Log(p.min))
	case kindChoice:
		return (v + 0.5) / float64(len(p.choices))
	}
	return (v - p.min + 0.5) / float64(p.levels())
}

// format writes a value for people: "12", "45m0s", "m5.xlarge".
func (p param) format(v float64) string {
	switch p.kind {
	case kindDuration:
		return (time.Duration(v) * time.Second).String()
	case kindChoice:
		return p.choices[int(v)]
	}
	return strconv.Itoa(int(v))
}

// params lists the space's dimensions in a fixed order.
func (s *Space) params() []param {
	var ps []param
	ints := []struct {
		name string
		r    *IntRange
	}{
		{ParamBurstCostWeight, s.BurstCostWeight}, {ParamSteadinessWeight, s.SteadinessWeight},
		{ParamVMHeadroomPercent, s.VMHeadroomPercent}, {ParamBasePercentile, s.BasePercentile},
	}
	for _, x := range ints {
		if x.r != nil {
			ps = append(ps, param{name: x.name, kind: kindInt, min: float64(x.r.Min), max: float64(x.r.Max)})
		}
	}
	durs := []struct {
		name string
		r    *DurationRange
	}{{ParamWindow, s.Window}, {ParamDefaultHorizon, s.DefaultHorizon}}
	for _, x := range durs {
		if x.r != nil {
			ps = append(ps, param{name: x.name, kind: kindDuration,
				min: math.Round(x.r.Min.Seconds()), max: math.Round(x.r.Max.Seconds())})
		}
	}
	if len(s.WorkerInstanceTypes) > 0 {
		ps = append(ps, param{name: ParamWorkerType, kind: kindChoice, choices: s.WorkerInstanceTypes})
	}
	if s.WorkerCount != nil {
		ps = append(ps, param{name: ParamWorkerCount, kind: kindInt, min: float64(s.WorkerCount.Min), max: float64(s.WorkerCount.Max)})
	}
	return ps
}

// latinHypercube draws n points of the space: each dimension's range is cut
// into n strata and every stratum is used once, in a seeded random order.
func latinHypercube(ps []param, n int, rng *rand.Rand) [][]float64 {
	pts := make([][]float64, n)
	for i := range pts {
		pts[i] = make([]float64, len(ps))
	}
	for d, p := range ps {
		perm := rng.Perm(n)
		for i := range n {
			u := (float64(perm[i]) + rng.Float64()) / float64(n)
			pts[i][d] = p.value(u)
		}
	}
	return pts
}

// neighbours are the points one step away from pt along each dimension, in
// both directions: step is a fraction of the unit range, at least one level
// for discrete parameters. Points equal to pt are left out.
func neighbours(ps []param, pt []float64, step float64) [][]float64 {
	var out [][]float64
	for d, p := range ps {
		for _, dir := range []float64{-1, 1} {
			v := p.value(p.unit(pt[d]) + dir*step)
			if lv := p.levels(); lv > 0 && v == pt[d] {
				v = pt[d] + dir
				lo, hi := p.min, p.max
				if p.kind == kindChoice {
					lo, hi = 0, float64(lv-1)
				}
				if v < lo || v > hi {
					continue
				}
			}
			if v == pt[d] {
				continue
			}
			n := append([]float64(nil), pt...)
			n[d] = v
			out = append(out, n)
		}
	}
	return out
}
