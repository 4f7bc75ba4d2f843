package report

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/spillway-dev/spillway/simulator"
)

func TestNoScenarios(t *testing.T) {
	var b bytes.Buffer
	for name, err := range map[string]error{
		"WriteMarkdown":   WriteMarkdown(&b, Report{}),
		"WriteHTML":       WriteHTML(&b, Report{}),
		"ComparisonTable": ComparisonTable(&b, Report{}),
		"WriteFiles":      WriteFiles(t.TempDir(), Report{}),
		"WriteSummary":    WriteSummary(&b, Report{}),
	} {
		if !errors.Is(err, ErrNoScenarios) {
			t.Errorf("%s: got %v, want ErrNoScenarios", name, err)
		}
	}
	if b.Len() != 0 {
		t.Errorf("wrote %q with no scenarios", b.String())
	}
}

func flat(n int, cpu float64, pods int) []simulator.Sample {
	return series(n, func(int) (float64, float64, float64, []int) { return 0, 0, cpu, []int{pods} })
}

func TestEdgeCases(t *testing.T) {
	base := sampleReport().Scenarios[0]
	with := func(mod func(*Scenario)) Scenario { s := base; mod(&s); return s }
	tests := []struct {
		name      string
		scenarios []Scenario
		// want are substrings of the Markdown and the HTML.
		want []string
	}{
		{"empty series", []Scenario{base, with(func(s *Scenario) { s.Name, s.Result.Series = "bare", nil })},
			[]string{"**bare**: no time series", "(no data)"}},
		{"no pods started", []Scenario{base, with(func(s *Scenario) {
			s.Name, s.Result.LatencyQuantiles = "idle", nil
			s.Result.Summary.Pods = simulator.PodSummary{}
			s.Result.Summary.StartLatency = simulator.LatencySummary{}
		})}, []string{"**idle**: no pods started", "(no pods started)", "n/a"}},
		{"single sample", []Scenario{with(func(s *Scenario) { s.Result.Series = s.Result.Series[:1] })},
			[]string{"Only one scenario: spillway costs $3.12", "<svg"}},
		{"all zero", []Scenario{{Name: "zero", Result: simulator.Result{Series: flat(10, 0, 0),
			LatencyQuantiles: []simulator.Quantile{{Q: 0}, {Q: 1}}}}},
			[]string{"$0.00", "no serverless pods", "mean 0.0%"}},
		{"nothing at all", []Scenario{{Name: "void"}, {Name: "null"}},
			[]string{"No data to chart.", "void is the cheapest scenario at $0.00; it costs the same as null"}},
		{"long series", []Scenario{with(func(s *Scenario) { s.Result.Series = flat(20000, 0.5, 3) })},
			[]string{"peak serverless concurrency 3 at 0:01", "333.3 h"}},
		{"special characters", []Scenario{with(func(s *Scenario) { s.Name = `<b>a|b</b> & "c"` })},
			[]string{`\<b\>a\|b\</b\> & "c"`, `&lt;b&gt;a|b&lt;/b&gt; &amp; &#34;c&#34;`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Report{Title: "edge", Scenarios: tc.scenarios}
			var md, h, txt bytes.Buffer
			for _, err := range []error{WriteMarkdown(&md, r), WriteHTML(&h, r), ComparisonTable(&txt, r)} {
				if err != nil {
					t.Fatal(err)
				}
			}
			all := md.String() + h.String()
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			checkHTML(t, h.String())
		})
	}
}

// checkHTML asserts the page parses, is self-contained and has no
// unescaped scenario markup.
func checkHTML(t *testing.T, page string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("HTML does not parse: %v", err)
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "link", "img", "iframe", "object", "embed", "b":
				t.Errorf("unexpected <%s> element", n.Data)
			}
			for _, a := range n.Attr {
				if a.Key == "src" || a.Key == "href" || strings.HasPrefix(a.Key, "xlink") {
					t.Errorf("<%s> has %s=%q", n.Data, a.Key, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//|url\(|@import`).FindString(page); m != "" {
		t.Errorf("HTML references the network: %q", m)
	}
}

// TestHTMLStructure checks what the HTML must hold whatever its layout
// (TestGolden compares it with testdata/report.html byte for byte).
func TestHTMLStructure(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	checkHTML(t, b.String())
	if n := strings.Count(b.String(), "<svg "); n != 5 {
		t.Errorf("got %d charts, want 5", n)
	}
	if strings.Contains(b.String(), "http") {
		t.Errorf("HTML mentions http")
	}
}

func TestWriteFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := sampleReport()
	if err := WriteFiles(dir, r); err != nil {
		t.Fatal(err)
	}
	for _, tc := range writers[:3] {
		got, err := os.ReadFile(filepath.Join(dir, tc.name))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(render(t, tc.f, r), string(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestDownsample(t *testing.T) {
	for _, n := range []int{0, 1, 2, 499, 500, 501, 997, 998, 1440, 20160, 100000} {
		idx := downsample(n)
		if n == 0 {
			if len(idx) != 0 {
				t.Errorf("n=0: got %v", idx)
			}
			continue
		}
		if len(idx) > maxPoints || idx[0] != 0 || idx[len(idx)-1] != n-1 {
			t.Errorf("n=%d: %d points, first %d, last %d", n, len(idx), idx[0], idx[len(idx)-1])
		}
		if n <= maxPoints && len(idx) != n {
			t.Errorf("n=%d: got %d points, want all", n, len(idx))
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct{ got, want string }{
		{fmtUSD(1234.564), "$1,234.56"},
		{fmtUSD(-0.004), "$0.00"},
		{fmtUSD(-1234567.5), "-$1,234,567.50"},
		{fmtUSD(999.999), "$1,000.00"},
		{fmtInt(1234567), "1,234,567"},
		{fmtSec(-0.04), "0.0"},
		{fmtPct(12.345), "12.3%"},
		{pctChange(110, 100), "+10.0%"},
		{pctChange(90, 100), "-10.0%"},
		{pctChange(100.01, 100), "+0.0%"},
		{pctChange(5, 0), "n/a"},
		{fmtClock(3*3600 + 5*60), "3:05"},
		{fmtClock(25 * 3600), "25:00"},
		{fmtTick(2.5, 0.5), "2.5"},
		{fmtTick(12000, 2000), "12,000"},
		{trimFloat(0.01), "0.01"},
	}
	for i, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%d: got %q, want %q", i, tc.got, tc.want)
		}
	}
}

func TestLinearAxis(t *testing.T) {
	for _, tc := range []struct{ lo, hi, wantMax float64 }{
		{0, 0, 1}, {0, 9.6, 10}, {0, 100, 100}, {0, 14, 15}, {0, 6, 6}, {0, 0.003, 0.003},
	} {
		a := linearAxis("x", tc.lo, tc.hi)
		if math.Abs(a.max-tc.wantMax) > 1e-9*tc.wantMax || !(a.max > a.min) || len(a.ticks) < 2 {
			t.Errorf("linearAxis(%v, %v) = [%v, %v] with %d ticks, want max %v",
				tc.lo, tc.hi, a.min, a.max, len(a.ticks), tc.wantMax)
		}
	}
}
