package report

import (
	"strings"
	"testing"

	"github.com/spillway-dev/spillway/simulator"
)

// A caller's sections appear in both renderings, escaped, with the chart
// in HTML.
func TestSections(t *testing.T) {
	r := Report{Title: "t", Scenarios: []Scenario{{Name: "a", Result: simulator.Result{
		Series: series(3, func(int) (float64, float64, float64, []int) { return 1, 0, 0.5, []int{0} })}}},
		Sections: []Section{{ID: "pareto", Title: "Pareto <front>", Text: "cost | latency",
			Head: []string{"Candidate", "Total $"}, Rows: [][]string{{"c1", "$1.00"}, {"c2", "$2.00"}},
			Chart: &Scatter{XName: "cost", YName: "p99", Series: []ScatterSeries{
				{Name: "all", Colour: 9, Xs: []float64{1, 2, 3}, Ys: []float64{50, 40, 45}},
				{Name: "front", Colour: 0, Line: true, Xs: []float64{1, 2}, Ys: []float64{50, 40}}}}}}}
	var md, html strings.Builder
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Pareto \\<front\\>", "cost \\| latency", "| Candidate | Total $ |", "| c2 | $2.00 |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("report.md lacks %q:\n%s", want, md.String())
		}
	}
	h := html.String()
	for _, want := range []string{`<h2 id="pareto">Pareto &lt;front&gt;</h2>`, `aria-label="pareto chart"`, "<td>c2</td><td>$2.00</td>", `<span class="sw s9"></span>all`} {
		if !strings.Contains(h, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Index(h, `id="pareto"`) > strings.Index(h, "<h2>Charts</h2>") {
		t.Errorf("the section comes after the charts, want it before")
	}
}
