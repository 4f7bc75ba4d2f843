package report

import (
	"html/template"

	chart "github.com/wcharczuk/go-chart/v2"
)

// Section is a section a caller adds to a report after the comparison
// (the tuner's Pareto front, the planner's sweep): a paragraph, a table
// and, optionally, a scatter chart.
type Section struct {
	ID, Title, Text string
	Head            []string
	Rows            [][]string
	Chart           *Scatter
}

// Scatter is a chart of points: each series in the palette colour of its
// Colour index, drawn as dots, or joined when Line is set.
type Scatter struct {
	XName, YName string
	Series       []ScatterSeries
}

// ScatterSeries is one set of points of a Scatter.
type ScatterSeries struct {
	Name   string
	Colour int
	Line   bool
	Xs, Ys []float64
}

// svg renders the scatter chart in the report's style.
func (s *Scatter) svg(id string) (template.HTML, error) {
	cd := chartData{id: id, omitted: map[int]string{}}
	var xmin, xmax, ymin, ymax float64
	first := true
	for _, ser := range s.Series {
		for i := range ser.Xs {
			if first {
				xmin, xmax, ymin, ymax = ser.Xs[i], ser.Xs[i], ser.Ys[i], ser.Ys[i]
			}
			xmin, xmax = min(xmin, ser.Xs[i]), max(xmax, ser.Xs[i])
			ymin, ymax = min(ymin, ser.Ys[i]), max(ymax, ser.Ys[i])
			first = false
		}
		cd.lines = append(cd.lines, line{scenario: ser.Colour, xs: ser.Xs, ys: ser.Ys, dots: !ser.Line})
	}
	if first {
		return "", nil
	}
	cd.x = linearAxis(s.XName, xmin, xmax)
	// Both axes span the data, not zero: a front's trade-off is in the
	// differences.
	cd.y = linearAxis(s.YName, ymin, ymax)
	out, err := cd.svg()
	return template.HTML(out), err
}

// dotStyle draws a series as dots only.
func dotStyle(st chart.Style) chart.Style {
	st.DotWidth, st.DotColor = 3.5, st.StrokeColor
	st.StrokeWidth = chart.Disabled
	return st
}
