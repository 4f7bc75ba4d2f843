package report

import (
	"fmt"
	"strings"
)

// item is one scenario's line in a chart's text summary.
type item struct {
	Scenario int
	Name     string
	Text     string
}

// section is one chart: its title, its text summary and, in HTML, the SVG.
type section struct {
	ID, Title string
	Items     []item
	data      chartData
}

// sections returns the five charts in order with their text summaries.
func sections(r Report) []section {
	return []section{
		{ID: "costdiff", Title: "Cost difference against " + r.Scenarios[0].Name, Items: each(r, costDiffText(r)), data: costDiffChart(r)},
		{ID: "cost", Title: "Cumulative cost", Items: each(r, costText), data: costChart(r)},
		{ID: "cpu", Title: fmt.Sprintf("VM CPU utilisation (%d-minute trailing mean)", smoothWindow(r)), Items: each(r, cpuText), data: cpuChart(r)},
		{ID: "serverless", Title: "Serverless concurrency", Items: each(r, concText), data: concChart(r)},
		{ID: "latency", Title: "Start-latency distribution", Items: each(r, latencyText), data: latencyChart(r)},
	}
}

func each(r Report, text func(Scenario) string) []item {
	items := make([]item, len(r.Scenarios))
	for i, s := range r.Scenarios {
		items[i] = item{Scenario: i, Name: s.Name, Text: text(s)}
	}
	return items
}

func costText(s Scenario) string {
	st := computeStats(s)
	if !st.hasSeries {
		return "no time series"
	}
	peak, at := 0.0, 0.0
	for _, x := range s.Result.Series {
		if v := x.CostRateUSDPerHour(); v > peak {
			peak, at = v, x.End
		}
	}
	t := fmt.Sprintf("%s after %s h", fmtUSD(st.finalUSD), fixed1(st.endS/3600))
	if peak > 0 {
		t += fmt.Sprintf("; highest cost rate %s/h at %s", fmtUSD(peak), fmtClock(at))
	}
	return t
}

func cpuText(s Scenario) string {
	st := computeStats(s)
	if !st.hasCPU {
		return "no time series"
	}
	return fmt.Sprintf("mean %s, peak %s at %s", fmtPct(100*st.meanCPU),
		fmtPct(100*st.peakCPU), fmtClock(st.peakCPUAt))
}

func concText(s Scenario) string {
	st := computeStats(s)
	switch {
	case !st.hasSeries:
		return "no time series"
	case st.peakConc == 0:
		return "no serverless pods"
	}
	return fmt.Sprintf("peak serverless concurrency %s at %s", fmtInt(int64(st.peakConc)), fmtClock(st.peakConcAt))
}

// latencyThresholds are the latencies the CDF summary reads off.
var latencyThresholds = []float64{1, 10, 60}

func latencyText(s Scenario) string {
	qs := s.Result.LatencyQuantiles
	if len(qs) == 0 {
		return "no pods started"
	}
	share, never := startedShare(s)
	var parts []string
	for i, t := range latencyThresholds {
		// The largest q whose latency is within t: a lower bound.
		f := 0.0
		for _, q := range qs {
			if q.Seconds <= t && q.Q > f {
				f = q.Q
			}
		}
		p := fmtPct(100 * f * share)
		if i == 0 {
			p += " of all pods"
		}
		parts = append(parts, fmt.Sprintf("%s within %s s", p, trimFloat(t)))
	}
	out := strings.Join(parts, ", ") + fmt.Sprintf("; slowest started %s s", fixed1(qs[len(qs)-1].Seconds))
	if never > 0 {
		out += fmt.Sprintf("; %s pods (%s) never started, beyond every bound", fmtInt(never), fmtPct(100*(1-share)))
	}
	return out
}
