package report

import (
	"fmt"
	"html/template"
	"io"
	"strings"
)

// WriteHTML writes the report as one self-contained HTML page: inline CSS
// and inline SVG charts, no scripts, fonts, images or links to fetch.
func WriteHTML(w io.Writer, r Report) error {
	if len(r.Scenarios) == 0 {
		return ErrNoScenarios
	}
	type legendEntry struct {
		Class, Name, Note string
	}
	type htmlSection struct {
		ID, Title string
		Legend    []legendEntry
		SVG       template.HTML
		Items     []item
	}
	type scen struct {
		Class, Name, Description string
	}
	data := struct {
		Title, Trace, Generated, Verdict string
		CSS                              template.CSS
		Scenarios                        []scen
		HasDescriptions                  bool
		Head                             []string
		Rows                             [][]string
		BoundRow                         []string
		BoundNote                        string
		Notes                            []string
		Sections                         []htmlSection
		Extra                            []extraSection
	}{
		Title: r.Title, Trace: r.Trace, Generated: r.Generated, Verdict: Verdict(r),
		CSS: template.CSS(css()), HasDescriptions: hasDescriptions(r), Notes: r.Notes,
	}
	if data.Title == "" {
		data.Title = "Spillway what-if report"
	}
	for i, s := range r.Scenarios {
		data.Scenarios = append(data.Scenarios, scen{swatch(i), s.Name, s.Description})
	}
	data.Head, data.Rows = table(r)
	if r.Bound != nil {
		data.BoundRow, data.BoundNote = boundRow(r, data.Head), boundNote(r)
	}
	for _, sec := range r.Sections {
		es := extraSection{Section: sec}
		if sec.Chart != nil {
			svg, err := sec.Chart.svg(sec.ID)
			if err != nil {
				return err
			}
			es.SVG = svg
			for _, ser := range sec.Chart.Series {
				es.Legend = append(es.Legend, [2]string{swatch(ser.Colour), ser.Name})
			}
		}
		data.Extra = append(data.Extra, es)
	}
	for _, sec := range sections(r) {
		svg, err := sec.data.svg()
		if err != nil {
			return err
		}
		hs := htmlSection{ID: sec.ID, Title: sec.Title, SVG: template.HTML(svg), Items: sec.Items}
		for i, s := range r.Scenarios {
			hs.Legend = append(hs.Legend, legendEntry{swatch(i), s.Name, sec.data.omitted[i]})
		}
		data.Sections = append(data.Sections, hs)
	}
	return page.Execute(w, data)
}

// extraSection is a caller's Section with its chart rendered.
type extraSection struct {
	Section
	SVG    template.HTML
	Legend [][2]string
}

func swatch(i int) string { return fmt.Sprintf("sw s%d", i%len(palette)) }

func css() string {
	var b strings.Builder
	b.WriteString(baseCSS)
	for i := range palette {
		fmt.Fprintf(&b, ".s%d{background:%s}\n", i, colour(i))
	}
	return b.String()
}

const baseCSS = `
body{margin:0;background:#f6f7f9;color:#1f2328;font:15px/1.5 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:1.6em;margin:0 0 4px}
h2{font-size:1.25em;margin:32px 0 8px;border-bottom:1px solid #d8dee4;padding-bottom:4px}
h3{font-size:1.05em;margin:0 0 6px}
.meta{color:#59636e;margin:0 0 16px}
.verdict{background:#fff;border-left:4px solid #4e79a7;padding:10px 14px;margin:16px 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;background:#fff;font-size:12.5px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d8dee4;padding:4px 6px;text-align:right;white-space:nowrap}
th{background:#eef1f4;font-weight:600;white-space:normal;vertical-align:bottom}
td:first-child,th:first-child{text-align:left}
table.desc td,table.desc th{white-space:normal;text-align:left}
tr.bound td{font-style:italic;background:#f6f8fa}
.small,.muted{color:#59636e;font-size:13px}
section.chart{background:#fff;border:1px solid #d8dee4;border-radius:6px;padding:14px 16px;margin:16px 0}
section.chart svg{display:block;width:100%;max-width:900px;height:auto}
ul.legend{list-style:none;padding:0;margin:0 0 6px;display:flex;flex-wrap:wrap;gap:4px 18px;font-size:13px}
.sw{display:inline-block;width:22px;height:4px;border-radius:2px;vertical-align:middle;margin-right:6px}
ul.summary{margin:8px 0 0;padding-left:20px;font-size:13px;color:#3d444d}
.empty{color:#59636e;font-style:italic}
footer{color:#59636e;font-size:12px;margin-top:32px}
`

var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>{{.CSS}}</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
{{if or .Trace .Generated}}<p class="meta">{{if .Trace}}Trace: {{.Trace}}{{end}}{{if and .Trace .Generated}} · {{end}}{{if .Generated}}Generated: {{.Generated}}{{end}}</p>
{{end}}<p class="verdict"><strong>Verdict.</strong> {{.Verdict}}</p>
{{if .HasDescriptions}}<h2>Scenarios</h2>
<div class="scroll"><table class="desc">
<tr><th>Scenario</th><th>Description</th></tr>
{{range .Scenarios}}<tr><td><span class="{{.Class}}"></span>{{.Name}}</td><td>{{.Description}}</td></tr>
{{end}}</table></div>
{{end}}<h2>Comparison</h2>
<div class="scroll"><table class="cmp">
<tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>
{{range $i, $row := .Rows}}<tr>{{range $j, $c := $row}}{{if eq $j 0}}<td><span class="{{(index $.Scenarios $i).Class}}"></span>{{$c}}</td>{{else}}<td>{{$c}}</td>{{end}}{{end}}</tr>
{{end}}{{if .BoundRow}}<tr class="bound">{{range .BoundRow}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table></div>
<p class="small">Latencies are start latencies in seconds (creation to running). VM CPU mean is time-weighted requested / allocatable CPU; peak serverless is the most serverless pods running or starting at once. “vs first” compares the total cost with the first scenario.</p>
{{if .BoundNote}}<p class="small">{{.BoundNote}}</p>
{{end}}{{if .Notes}}<ul class="notes">
{{range .Notes}}<li>{{.}}</li>
{{end}}</ul>
{{end}}{{range .Extra}}<h2 id="{{.ID}}">{{.Title}}</h2>
{{if .Text}}<p>{{.Text}}</p>
{{end}}{{if .SVG}}<section class="chart">
<ul class="legend">{{range .Legend}}<li><span class="{{index . 0}}"></span>{{index . 1}}</li>{{end}}</ul>
{{.SVG}}
</section>
{{end}}{{if .Head}}<div class="scroll"><table class="cmp">
<tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table></div>
{{end}}{{end}}<h2>Charts</h2>
<p class="small">Times are since the start of the trace (h:mm in the summaries); the axes end with the data. Long series are thinned to at most 500 points per line: cumulative cost and serverless concurrency show the largest value of the minutes a point stands for, the cost difference and the utilisation (a trailing mean over the stated window) their value at the point. The latency CDF is over all pods: pods that never started are beyond every bound, so a line that ends below 1 left that many waiting.</p>
{{range .Sections}}<section class="chart" id="chart-{{.ID}}">
<h3>{{.Title}}</h3>
<ul class="legend">{{range .Legend}}<li><span class="{{.Class}}"></span>{{.Name}}{{if .Note}} <span class="muted">({{.Note}})</span>{{end}}</li>{{end}}</ul>
{{if .SVG}}{{.SVG}}{{else}}<p class="empty">No data to chart.</p>{{end}}
<ul class="summary">{{range .Items}}<li><strong>{{.Name}}</strong>: {{.Text}}</li>{{end}}</ul>
</section>
{{end}}<footer>Spillway what-if report{{if .Generated}} · {{.Generated}}{{end}}</footer>
</main>
</body>
</html>
`))
