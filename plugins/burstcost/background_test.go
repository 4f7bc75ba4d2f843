package burstcost

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/component-base/metrics/testutil"
	"k8s.io/utils/clock"

	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/plugins/apis/config"
)

// logLines collects what a plugin logs.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) logger() logr.Logger {
	return funcr.New(func(prefix, args string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.lines = append(l.lines, prefix+" "+args)
	}, funcr.Options{Verbosity: 1})
}

// count returns how many lines contain s.
func (l *logLines) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func testArgs(file string) *config.BurstCostArgs {
	return &config.BurstCostArgs{PriceCatalogFile: file, VMPricing: "OnDemand", VMMarginalCostFactor: 0.1, PackingFactor: 1,
		StartupPenaltyUSDPerMinute: 0.01, DefaultHorizon: metav1.Duration{Duration: time.Hour}, MinObservedLifetimes: 3,
		ObservedLifetimesRetention: metav1.Duration{Duration: 24 * time.Hour},
		PriceCatalogReloadInterval: metav1.Duration{Duration: time.Minute}}
}

// catalogWith is the embedded catalog with Fargate's vCPU price replaced
// (or, with a typo, a field the loader rejects on a known line).
func catalogWith(t *testing.T, fargateVCPU string) []byte {
	t.Helper()
	text := string(cost.DefaultYAML())
	if !strings.Contains(text, "vcpuHourUSD: 0.04048") {
		t.Fatal("the embedded catalog no longer has Fargate's vcpuHourUSD: 0.04048")
	}
	return []byte(strings.Replace(text, "vcpuHourUSD: 0.04048", fargateVCPU, 1))
}

func fargateVCPU(pl *BurstCost) float64 {
	sp, _ := pl.current.Load().catalog.Serverless("fargate")
	return sp.VCPUHourUSD
}

func failures(t *testing.T, source string) float64 {
	t.Helper()
	v, err := testutil.GetCounterMetricValue(catalogFailures.WithLabelValues(source))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestFileReload replaces priceCatalogFile while the plugin runs: a valid
// catalog is picked up; a broken one is rejected with the file and line
// logged once, the last good catalog staying in use; a vanished file is
// logged once; a catalog that lacks a backend's price is rejected.
func TestFileReload(t *testing.T) {
	RegisterMetrics()
	path := filepath.Join(t.TempDir(), "prices.yaml")
	write := func(data []byte) {
		t.Helper()
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil { // as a ConfigMap update does
			t.Fatal(err)
		}
	}
	write(catalogWith(t, "vcpuHourUSD: 0.05"))
	pl, err := NewWithClock(context.Background(), testArgs(path), nil, clock.RealClock{})
	if err != nil {
		t.Fatal(err)
	}
	var logs logLines
	w := &fileWatcher{pl: pl, path: path, every: time.Minute, clk: clock.RealClock{}, logger: logs.logger(), kick: make(chan struct{}, 1)}
	w.prime()
	w.check()
	if got := fargateVCPU(pl); got != 0.05 || logs.count("Loaded") != 0 {
		t.Fatalf("unchanged file: vCPU price %v, logs %q; want 0.05 and nothing logged", got, logs.String())
	}

	write(catalogWith(t, "vcpuHourUSD: 0.06"))
	w.check()
	if got := fargateVCPU(pl); got != 0.06 || logs.count("Loaded the new price catalog file") != 1 {
		t.Fatalf("new valid file: vCPU price %v; want 0.06; logs:\n%s", got, logs.String())
	}
	if len(w.kick) != 1 {
		t.Error("a reload did not ask the refresh to start again from the new file")
	}

	before := failures(t, "file")
	write(catalogWith(t, "vcpuHourUsd: 0.07"))
	w.check()
	w.check() // the same bad version again: not logged twice
	if got := fargateVCPU(pl); got != 0.06 {
		t.Errorf("broken file: vCPU price %v; want the last good 0.06", got)
	}
	want := fmt.Sprintf(`%s: serverless[0].vcpuHourUsd: unknown field, did you mean \"vcpuHourUSD\"? (line 26)`, path)
	if n := logs.count(want); n != 1 {
		t.Errorf("the rejection naming file and line was logged %d times; want once; logs:\n%s", n, logs.String())
	}
	if got := failures(t, "file") - before; got != 1 {
		t.Errorf("file failures grew by %v; want 1", got)
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	w.check()
	w.check()
	if n := logs.count("Cannot read the price catalog file"); n != 1 || fargateVCPU(pl) != 0.06 {
		t.Errorf("vanished file: logged %d times (want 1), price %v (want 0.06)", n, fargateVCPU(pl))
	}

	noACI := strings.Replace(string(catalogWith(t, "vcpuHourUSD: 0.08")), "- name: aci", "- name: aci-renamed", 1)
	write([]byte(noACI))
	w.check()
	if n := logs.count(`backend \"aci\" is priced as \"aci\", which the price catalog`); n != 1 || fargateVCPU(pl) != 0.06 {
		t.Errorf("catalog without aci: logged %d times (want 1), price %v (want 0.06); logs:\n%s", n, fargateVCPU(pl), logs.String())
	}

	write(catalogWith(t, "vcpuHourUSD: 0.09"))
	w.check()
	if got := fargateVCPU(pl); got != 0.09 || pl.base.Load().Updated != "2026-11-22" {
		t.Errorf("recovered file: vCPU price %v; want 0.09", got)
	}
}
