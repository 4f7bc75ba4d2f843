package report

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"

	"github.com/spillway-dev/spillway/simulator"
)

const (
	chartWidth  = 900
	chartHeight = 340
	// maxPoints bounds the points drawn per line.
	maxPoints = 500
)

// palette gives scenario i the colour palette[i%len(palette)] in every
// chart (Tableau 10).
var palette = []string{"4e79a7", "f28e2b", "e15759", "76b7b2", "59a14f",
	"edc948", "b07aa1", "ff9da7", "9c755f", "bab0ac"}

func colour(i int) string { return "#" + palette[i%len(palette)] }

// line is one scenario's line in a chart.
type line struct {
	scenario int
	xs, ys   []float64
	dots     bool // points only, no line
}

// axis is an axis with explicit range and ticks, so that go-chart never
// sees a zero-width range.
type axis struct {
	name     string
	min, max float64
	ticks    []chart.Tick
}

// chartData is one chart: its lines and, per scenario left out, why.
type chartData struct {
	id, title string
	x, y      axis
	lines     []line
	omitted   map[int]string
}

// timeChart builds a chart of value(sample) over time, in hours.
func timeChart(r Report, id, title, yname string, value func(simulator.Sample) float64, ymax float64) chartData {
	cd := chartData{id: id, title: title, omitted: map[int]string{}}
	var xmax, vmax float64
	for i, s := range r.Scenarios {
		if len(s.Result.Series) == 0 {
			cd.omitted[i] = "no data"
			continue
		}
		var l line
		l.scenario = i
		// Each point stands for the samples since the previous one and shows
		// their largest value, so thinning never hides a peak.
		prev := -1
		for _, k := range downsample(len(s.Result.Series)) {
			x := s.Result.Series[k]
			v := value(x)
			for _, y := range s.Result.Series[prev+1 : k] {
				v = math.Max(v, value(y))
			}
			prev = k
			l.xs = append(l.xs, x.End/3600)
			l.ys = append(l.ys, v)
			xmax, vmax = math.Max(xmax, x.End/3600), math.Max(vmax, v)
		}
		cd.lines = append(cd.lines, l)
	}
	cd.x = dataAxis("time since start (h)", xmax)
	if ymax > 0 {
		vmax = ymax
	}
	cd.y = linearAxis(yname, 0, vmax)
	return cd
}

func costChart(r Report) chartData {
	return timeChart(r, "cost", "Cumulative cost", "cumulative cost (USD)",
		func(x simulator.Sample) float64 { return x.CumulativeUSD }, 0)
}

func concChart(r Report) chartData {
	return timeChart(r, "serverless", "Serverless concurrency (pods running or starting)", "serverless pods",
		func(x simulator.Sample) float64 { return float64(concurrency(x)) }, 0)
}

// latencyChart is the CDF of start latency, with a log x axis when the
// latencies span more than two decades.
func latencyChart(r Report) chartData {
	cd := chartData{id: "latency", title: "Start-latency distribution (CDF)", omitted: map[int]string{}}
	minPos, max := math.Inf(1), 0.0
	for _, s := range r.Scenarios {
		for _, q := range s.Result.LatencyQuantiles {
			if q.Seconds > 0 {
				minPos = math.Min(minPos, q.Seconds)
			}
			max = math.Max(max, q.Seconds)
		}
	}
	logX := max > 0 && !math.IsInf(minPos, 1) && max/minPos > 100
	var lo float64 // log10 of the smallest value shown, on a log axis
	if logX {
		lo = math.Floor(math.Log10(minPos))
		hi := math.Max(math.Ceil(math.Log10(max)), lo+1)
		cd.x = axis{name: "start latency (s, log scale)", min: lo, max: hi}
		for e := lo; e <= hi; e++ {
			cd.x.ticks = append(cd.x.ticks, chart.Tick{Value: e, Label: trimFloat(math.Pow(10, e))})
		}
	} else {
		cd.x = dataAxis("start latency (s)", max)
	}
	cd.y = linearAxis("fraction of all pods (never started: beyond every bound)", 0, 1)
	for i, s := range r.Scenarios {
		if len(s.Result.LatencyQuantiles) == 0 {
			cd.omitted[i] = "no pods started"
			continue
		}
		f, never := startedShare(s)
		if never > 0 {
			cd.omitted[i] = fmt.Sprintf("%s never started: the line ends at %s", fmtInt(never), fmtPct(100*f))
		}
		l := line{scenario: i}
		for _, q := range s.Result.LatencyQuantiles {
			x := q.Seconds
			if logX {
				x = math.Log10(math.Max(x, math.Pow(10, lo)))
			}
			l.xs, l.ys = append(l.xs, x), append(l.ys, q.Q*f)
		}
		cd.lines = append(cd.lines, l)
	}
	return cd
}

// startedShare is the fraction of the scenario's pods that were placed
// (and so started, or were starting), and how many never were.
func startedShare(s Scenario) (float64, int64) {
	p := s.Result.Summary.Pods
	if p.Total <= 0 {
		return 1, 0
	}
	never := max(p.Unscheduled, 0)
	return float64(p.Total-never) / float64(p.Total), never
}

// dataAxis is [0, hi] with nice ticks that end with the data: the axis
// stops at hi, and its last tick, at hi, says where.
func dataAxis(name string, hi float64) axis {
	a := linearAxis(name, 0, hi)
	if !(hi > 0) || math.IsInf(hi, 0) || math.IsNaN(hi) {
		return a
	}
	step := a.ticks[1].Value - a.ticks[0].Value
	a.max = hi
	for len(a.ticks) > 1 && a.ticks[len(a.ticks)-1].Value > hi-step/2 {
		a.ticks = a.ticks[:len(a.ticks)-1]
	}
	// The last tick marks the end of the data, so the axis is drawn to it.
	a.ticks = append(a.ticks, chart.Tick{Value: hi, Label: trimFloat(math.Round(hi*10) / 10)})
	return a
}

// downsample picks at most maxPoints indices of n: every k-th plus the
// last.
func downsample(n int) []int {
	k := 1
	if n > maxPoints {
		k = (n - 1 + maxPoints - 2) / (maxPoints - 1)
	}
	var idx []int
	for i := 0; i < n; i += k {
		idx = append(idx, i)
	}
	if n > 0 && idx[len(idx)-1] != n-1 {
		idx = append(idx, n-1)
	}
	return idx
}

// linearAxis is [lo, hi] widened to nice tick values; a zero-width range
// becomes [lo, lo+1].
func linearAxis(name string, lo, hi float64) axis {
	if !(hi > lo) || math.IsInf(hi, 0) || math.IsNaN(hi) {
		hi = lo + 1
	}
	step := niceStep((hi - lo) / 6)
	a := axis{name: name, min: math.Floor(lo/step) * step, max: math.Ceil(hi/step-1e-9) * step}
	for i := 0; ; i++ {
		v := a.min + float64(i)*step
		if v > a.max+step/2 {
			break
		}
		a.ticks = append(a.ticks, chart.Tick{Value: v, Label: fmtTick(v, step)})
	}
	return a
}

// niceStep rounds x up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= x*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

func fmtTick(v, step float64) string {
	d := 0
	for s := step; math.Abs(s-math.Round(s)) > 1e-9 && d < 6; s *= 10 {
		d++
	}
	if math.Abs(v) < step/1e6 {
		v = 0
	}
	return groupFloat(fmt.Sprintf("%.*f", d, v))
}

// groupFloat adds thousands separators to a formatted non-negative number.
func groupFloat(s string) string {
	intPart, frac, _ := strings.Cut(s, ".")
	if len(intPart) <= 3 || strings.HasPrefix(intPart, "-") {
		return s
	}
	var n int64
	fmt.Sscan(intPart, &n)
	if frac != "" {
		return groupDigits(n) + "." + frac
	}
	return groupDigits(n)
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.6f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return groupFloat(s)
}

// svg renders the chart with go-chart as an inline <svg> element. It
// carries no text from the Report (names are in the HTML legend), so
// nothing in it needs escaping.
func (cd chartData) svg() (string, error) {
	if len(cd.lines) == 0 {
		return "", nil
	}
	grid := chart.Style{StrokeColor: drawing.ColorFromHex("e4e4e4"), StrokeWidth: 1}
	axisStyle := chart.Style{FontSize: 10, FontColor: drawing.ColorFromHex("333333"),
		StrokeColor: drawing.ColorFromHex("999999"), StrokeWidth: 1}
	nameStyle := chart.Style{FontSize: 11, FontColor: drawing.ColorFromHex("333333")}
	ydef := chart.YAxis{
		Style: axisStyle,
		Range: &chart.ContinuousRange{Min: cd.y.min, Max: cd.y.max},
		Ticks: cd.y.ticks, GridMajorStyle: grid, GridMinorStyle: grid,
	}
	c := chart.Chart{
		Width: chartWidth, Height: chartHeight,
		Background: chart.Style{Padding: chart.Box{Top: 16, Left: 30, Right: 24, Bottom: 10}},
		XAxis: chart.XAxis{
			Name: cd.x.name, NameStyle: nameStyle, Style: axisStyle,
			Range: &chart.ContinuousRange{Min: cd.x.min, Max: cd.x.max},
			Ticks: cd.x.ticks, GridMajorStyle: grid, GridMinorStyle: grid,
		},
		// The series use the secondary axis, which go-chart draws on the
		// left; the primary (right) one is hidden but needs the range and
		// ticks (go-chart v2.1.2 reads the secondary range off them).
		YAxis: chart.YAxis{Style: chart.Hidden(), Ticks: cd.y.ticks,
			Range: &chart.ContinuousRange{Min: cd.y.min, Max: cd.y.max}},
		YAxisSecondary: ydef,
		// go-chart draws the secondary axis name over the tick labels.
		Elements: []chart.Renderable{yName(cd.y.name, nameStyle)},
	}
	for _, l := range cd.lines {
		st := chart.Style{StrokeColor: drawing.ColorFromHex(palette[l.scenario%len(palette)]), StrokeWidth: 2}
		if len(l.xs) == 1 {
			st.DotWidth, st.DotColor = 3, st.StrokeColor
		}
		if l.dots {
			st = dotStyle(st)
		}
		c.Series = append(c.Series, chart.ContinuousSeries{
			Style: st, YAxis: chart.YAxisSecondary, XValues: l.xs, YValues: l.ys,
		})
	}
	var b bytes.Buffer
	if err := c.Render(chart.SVG, &b); err != nil {
		return "", fmt.Errorf("report: chart %s: %w", cd.id, err)
	}
	s := b.String()
	// Inline SVG in HTML needs no namespaces; dropping them keeps the page
	// free of URLs.
	s = strings.Replace(s, ` xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"`, "", 1)
	s = strings.Replace(s, "<svg ", fmt.Sprintf(`<svg role="img" aria-label="%s chart" `, cd.id), 1)
	return s, nil
}

// yName draws the y-axis name rotated, reading upwards, centred on the
// canvas at the chart's left edge.
func yName(name string, style chart.Style) chart.Renderable {
	return func(r chart.Renderer, cb chart.Box, defaults chart.Style) {
		st := style.InheritFrom(defaults)
		st.GetTextOptions().WriteToRenderer(r)
		tb := r.MeasureText(name)
		r.SetTextRotation(chart.DegreesToRadians(270))
		r.Text(name, 20, cb.Top+cb.Height()/2+tb.Width()/2)
		r.ClearTextRotation()
	}
}
