package report

import (
	"bufio"
	"io"
	"strings"
)

// WriteMarkdown writes the report as GitHub Markdown: title, verdict,
// comparison table, notes and a short text summary per chart (the charts
// themselves are in report.html).
func WriteMarkdown(w io.Writer, r Report) error {
	if len(r.Scenarios) == 0 {
		return ErrNoScenarios
	}
	b := bufio.NewWriter(w)
	p := func(ss ...string) {
		for _, s := range ss {
			b.WriteString(s)
		}
		b.WriteByte('\n')
	}
	title := r.Title
	if title == "" {
		title = "Spillway what-if report"
	}
	p("# ", mdText(title))
	p()
	var meta []string
	if r.Trace != "" {
		meta = append(meta, "Trace: "+mdText(r.Trace))
	}
	if r.Generated != "" {
		meta = append(meta, "Generated: "+mdText(r.Generated))
	}
	if len(meta) > 0 {
		p(strings.Join(meta, " · "))
		p()
	}
	p("**Verdict.** ", mdText(Verdict(r)))
	p()

	if hasDescriptions(r) {
		p("## Scenarios")
		p()
		p("| Scenario | Description |")
		p("|---|---|")
		for _, s := range r.Scenarios {
			p("| ", mdCell(s.Name), " | ", mdCell(s.Description), " |")
		}
		p()
	}

	p("## Comparison")
	p()
	head, rows := tableWithBound(r)
	p("| ", strings.Join(mdCells(head), " | "), " |")
	align := make([]string, len(head))
	for i := range align {
		align[i] = "---:"
	}
	align[0] = "---"
	p("|", strings.Join(align, "|"), "|")
	for _, row := range rows {
		p("| ", strings.Join(mdCells(row), " | "), " |")
	}
	p()
	p("Latencies are start latencies in seconds (creation to running). ",
		"VM CPU mean is time-weighted requested / allocatable CPU; ",
		"peak serverless is the most serverless pods running or starting at once.")
	p()
	if n := boundNote(r); n != "" {
		p(mdText(n))
		p()
	}
	for _, n := range r.Notes {
		p("- ", mdText(n))
	}
	if len(r.Notes) > 0 {
		p()
	}

	for _, sec := range r.Sections {
		p("## ", mdText(sec.Title))
		p()
		if sec.Text != "" {
			p(mdText(sec.Text))
			p()
		}
		if len(sec.Head) > 0 {
			p("| ", strings.Join(mdCells(sec.Head), " | "), " |")
			align := make([]string, len(sec.Head))
			for i := range align {
				align[i] = "---:"
			}
			align[0] = "---"
			p("|", strings.Join(align, "|"), "|")
			for _, row := range sec.Rows {
				p("| ", strings.Join(mdCells(row), " | "), " |")
			}
			p()
		}
	}

	p("## Charts")
	p()
	p("Charts: see report.html. Times below are h:mm since the start of the trace.")
	for _, sec := range sections(r) {
		p()
		p("### ", sec.Title)
		p()
		for _, it := range sec.Items {
			p("- **", mdText(it.Name), "**: ", mdText(it.Text))
		}
	}
	return b.Flush()
}

func hasDescriptions(r Report) bool {
	for _, s := range r.Scenarios {
		if s.Description != "" {
			return true
		}
	}
	return false
}

// mdReplacer backslash-escapes the characters Markdown could read as markup
// and folds line breaks.
var mdReplacer = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "|", `\|`, "#", `\#`, "\r\n", " ", "\n", " ", "\r", " ",
)

func mdText(s string) string { return mdReplacer.Replace(s) }

func mdCell(s string) string {
	if s == "" {
		return " "
	}
	return mdText(s)
}

func mdCells(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = mdCell(s)
	}
	return out
}
