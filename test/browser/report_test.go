// Package browser checks that a what-if report renders in a real browser:
// headless Chromium loads report.html from disk, with the network off, and
// draws its charts.
package browser

import (
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/inprocess"
	"github.com/spillway-dev/spillway/simulator/report"
	"github.com/spillway-dev/spillway/simulator/whatif"
)

// chromium finds the browser; CI installs it (.ci/run), so there a missing
// browser fails the test instead of skipping it.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on PATH; .ci/run installs Debian's chromium package")
	}
	t.Skip("no chromium on PATH (apt-get install chromium); CI runs this test")
	return ""
}

func headless(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	out, err := exec.CommandContext(ctx, bin, append(base, args...)...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", bin, args, err)
	}
	return out
}

func TestReportRendersInChromium(t *testing.T) {
	bin := chromium(t)
	cfg, err := inprocess.LoadConfigFile("../../manifests/scheduler-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prof, err := inprocess.Profile(cfg, "spillway")
	if err != nil {
		t.Fatal(err)
	}
	scenarios, err := whatif.DefaultScenarios(cluster.Default(), prof)
	if err != nil {
		t.Fatal(err)
	}
	res, err := whatif.Run(context.Background(), whatif.Options{TracePath: "../../simulator/whatif/testdata/azure10-2h.jsonl",
		Scenarios: scenarios, Seed: 1, Prices: cost.Default(), Backends: backends.Default()})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := report.WriteFiles(dir, report.Report{Title: "Browser check", Trace: "azure10-2h", Scenarios: res}); err != nil {
		t.Fatal(err)
	}
	url := "file://" + filepath.Join(dir, "report.html")

	dom := string(headless(t, bin, "--dump-dom", url))
	if n := strings.Count(dom, "<svg"); n != 5 {
		t.Errorf("the rendered page has %d charts, want 5", n)
	}
	if !strings.Contains(dom, "Browser check") || !strings.Contains(dom, "Verdict") {
		t.Error("the rendered page lacks its title or verdict")
	}

	shot := filepath.Join(dir, "report.png")
	headless(t, bin, "--screenshot="+shot, "--window-size=1280,2400", url)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// The charts draw each scenario in its colour: the first two, Tableau
	// blue and orange, must be on screen.
	want := map[[3]uint8]string{{0x4e, 0x79, 0xa7}: "blue (spillway)", {0xf2, 0x8e, 0x2b}: "orange (default-burst)"}
	seen := map[[3]uint8]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			c := [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)}
			if _, ok := want[c]; ok {
				seen[c]++
			}
		}
	}
	for c, name := range want {
		if seen[c] < 200 {
			t.Errorf("the screenshot shows %d pixels of %s; the charts did not draw", seen[c], name)
		}
	}
	if b.Dx() != 1280 {
		t.Errorf("screenshot is %v", b)
	}
}
