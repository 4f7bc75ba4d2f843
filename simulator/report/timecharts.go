package report

import (
	"fmt"
	"math"

	"github.com/spillway-dev/spillway/simulator"
)

// smoothWindows are the trailing windows, in minutes, the utilisation
// chart may average over.
var smoothWindows = []int{5, 10, 15, 30, 60, 120, 180, 360}

// smoothWindow is the utilisation chart's window: about a 48th of the
// longest series (30 minutes for a day), from 5 minutes to 6 hours.
func smoothWindow(r Report) int {
	minutes := 0.0
	for _, s := range r.Scenarios {
		if n := len(s.Result.Series); n > 0 {
			minutes = math.Max(minutes, s.Result.Series[n-1].End/60)
		}
	}
	for _, w := range smoothWindows {
		if float64(w) >= minutes/48 {
			return w
		}
	}
	return smoothWindows[len(smoothWindows)-1]
}

// trailingMean is the time-weighted mean of value over each sample and
// the samples of the window minutes before it.
func trailingMean(series []simulator.Sample, window int, value func(simulator.Sample) float64) []float64 {
	out := make([]float64, len(series))
	var sum, secs float64
	lo := 0
	for i, x := range series {
		sum += value(x) * x.Seconds
		secs += x.Seconds
		for lo < i && series[lo].End <= x.End-float64(window)*60 {
			sum -= value(series[lo]) * series[lo].Seconds
			secs -= series[lo].Seconds
			lo++
		}
		if secs > 0 {
			out[i] = sum / secs
		}
	}
	return out
}

// pointsAt thins ys (at the series' ends, in hours) to the downsampled
// indices, keeping the value at each.
func pointsAt(series []simulator.Sample, ys []float64) line {
	var l line
	for _, k := range downsample(len(series)) {
		l.xs = append(l.xs, series[k].End/3600)
		l.ys = append(l.ys, ys[k])
	}
	return l
}

// cpuChart is VM CPU utilisation, a trailing mean over smoothWindow.
func cpuChart(r Report) chartData {
	w := smoothWindow(r)
	cd := chartData{id: "cpu", omitted: map[int]string{},
		title: fmt.Sprintf("VM CPU utilisation (requested / allocatable), %d-minute trailing mean", w)}
	xmax := 0.0
	for i, s := range r.Scenarios {
		if len(s.Result.Series) == 0 {
			cd.omitted[i] = "no data"
			continue
		}
		ys := trailingMean(s.Result.Series, w, func(x simulator.Sample) float64 { return 100 * x.VMCPUUtil })
		l := pointsAt(s.Result.Series, ys)
		l.scenario = i
		cd.lines = append(cd.lines, l)
		xmax = math.Max(xmax, l.xs[len(l.xs)-1])
	}
	cd.x = dataAxis("time since start (h)", xmax)
	cd.y = linearAxis(fmt.Sprintf("VM CPU utilisation (%%, %d-min mean)", w), 0, 100)
	return cd
}

// costDiffChart is each scenario's cumulative cost minus the first
// scenario's, minute by minute: above zero it has cost more so far. A
// scenario's series that outlasts the first's is compared with the
// first's final total.
func costDiffChart(r Report) chartData {
	base := r.Scenarios[0]
	cd := chartData{id: "costdiff", omitted: map[int]string{0: "the baseline: zero"},
		title: "Cumulative cost minus " + base.Name + "'s"}
	if len(base.Result.Series) == 0 {
		for i := range r.Scenarios {
			cd.omitted[i] = "no data"
		}
		return cd
	}
	baseAt := func(k int) float64 {
		bs := base.Result.Series
		return bs[min(k, len(bs)-1)].CumulativeUSD
	}
	xmax, lo, hi := 0.0, 0.0, 0.0
	for i, s := range r.Scenarios[1:] {
		i++
		if len(s.Result.Series) == 0 {
			cd.omitted[i] = "no data"
			continue
		}
		ys := make([]float64, len(s.Result.Series))
		for k, x := range s.Result.Series {
			ys[k] = x.CumulativeUSD - baseAt(k)
			lo, hi = math.Min(lo, ys[k]), math.Max(hi, ys[k])
		}
		l := pointsAt(s.Result.Series, ys)
		l.scenario = i
		cd.lines = append(cd.lines, l)
		xmax = math.Max(xmax, l.xs[len(l.xs)-1])
	}
	cd.x = dataAxis("time since start (h)", xmax)
	cd.y = linearAxis("cost minus "+base.Name+" (USD)", lo, hi)
	return cd
}

// costDiffText is a scenario's final difference from the first one.
func costDiffText(r Report) func(Scenario) string {
	base := r.Scenarios[0]
	return func(s Scenario) string {
		if s.Name == base.Name {
			return "the baseline"
		}
		if len(s.Result.Series) == 0 || len(base.Result.Series) == 0 {
			return "no time series"
		}
		d := s.Result.Summary.Cost.TotalUSD - base.Result.Summary.Cost.TotalUSD
		switch {
		case math.Round(d*100) == 0:
			return "costs the same as " + base.Name + " in the end"
		case d > 0:
			return fmt.Sprintf("%s more than %s in the end", fmtUSD(d), base.Name)
		}
		return fmt.Sprintf("%s less than %s in the end", fmtUSD(-d), base.Name)
	}
}
