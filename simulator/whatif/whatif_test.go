package whatif

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/inprocess"
	"github.com/spillway-dev/spillway/simulator/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// trace is two hours (minutes 600-719) of the 10-function Azure set:
// spillway import azure-functions simulator/traces/azure-functions-2019/day1-10-functions --start-minute 600 --minutes 120
const traceFile = "testdata/azure10-2h.jsonl"

func defaults(t *testing.T) []Scenario {
	t.Helper()
	cfg, err := inprocess.LoadConfigFile("../../manifests/scheduler-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := inprocess.Profile(cfg, "spillway")
	if err != nil {
		t.Fatal(err)
	}
	s, err := DefaultScenarios(cluster.Default(), p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func runDefaults(t *testing.T, parallel int) []report.Scenario {
	t.Helper()
	res, err := Run(context.Background(), Options{TracePath: traceFile, Scenarios: defaults(t), Seed: 1,
		Prices: cost.Default(), Backends: backends.Default(), Parallel: parallel})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// golden compares got with testdata/golden/name, or rewrites it.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// The default scenarios on a real trace: summary.json, the time series
// and report.md are golden, and do not depend on how many scenarios run
// at once.
func TestGoldenDefaultScenarios(t *testing.T) {
	res := runDefaults(t, 0)
	for _, s := range res {
		s.Result.Summary.Sim.WallS, s.Result.Summary.Sim.PodsPerS = 0, 0 // the only measured fields
		var sum, series bytes.Buffer
		if err := simulator.WriteSummary(&sum, s.Result.Summary); err != nil {
			t.Fatal(err)
		}
		if err := simulator.WriteSeries(&series, &s.Result); err != nil {
			t.Fatal(err)
		}
		golden(t, s.Name+".summary.json", sum.Bytes())
		golden(t, s.Name+".timeseries.csv", series.Bytes())
	}
	bound, err := OracleBound(Options{TracePath: traceFile, Prices: cost.Default(), Backends: backends.Default()}, cluster.Default())
	if err != nil {
		t.Fatal(err)
	}
	obj := report.DefaultObjectives()
	rep := report.Report{Title: "What-if: azure10-2h", Trace: traceFile, Scenarios: res, Bound: bound, Objectives: &obj}
	var md, sum bytes.Buffer
	if err := report.WriteMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.md", md.Bytes())
	if err := report.WriteSummary(&sum, rep); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.json", sum.Bytes())
	// A lower bound: no scenario on the cluster it is computed for costs
	// less (vms-for-peak and serverless-only run other clusters).
	for _, s := range res[:4] {
		if s.Result.Summary.Cost.TotalUSD < bound.TotalUSD-1e-9 {
			t.Errorf("%s costs $%.4f, less than the bound $%.4f", s.Name, s.Result.Summary.Cost.TotalUSD, bound.TotalUSD)
		}
	}

	serial := runDefaults(t, 1)
	for i := range serial {
		a, b := res[i].Result.Summary, serial[i].Result.Summary
		a.Sim.WallS, a.Sim.PodsPerS, b.Sim.WallS, b.Sim.PodsPerS = 0, 0, 0, 0
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("%s: parallel vs serial (-parallel +serial):\n%s", res[i].Name, diff)
		}
	}
}

func TestScenarioFileErrors(t *testing.T) {
	cfg, err := inprocess.LoadConfigFile("../../manifests/scheduler-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, yaml, want string }{
		{"unknown field", "apiVersion: spillway.dev/v1alpha1\nkind: WhatIf\nscenarios:\n- name: a\n  profil: x\n", `unknown field "scenarios[0].profil"`},
		{"wrong kind", "apiVersion: spillway.dev/v1alpha1\nkind: Whatif\nscenarios: []\n", `want apiVersion spillway.dev/v1alpha1 and kind WhatIf`},
		{"no name", "apiVersion: spillway.dev/v1alpha1\nkind: WhatIf\nscenarios:\n- description: x\n", "scenarios[0].name: required"},
		{"missing cluster", "apiVersion: spillway.dev/v1alpha1\nkind: WhatIf\nscenarios:\n- name: a\n  cluster: nope.yaml\n", "scenarios[0].cluster: open"},
		{"unknown profile", "apiVersion: spillway.dev/v1alpha1\nkind: WhatIf\nscenarios:\n- name: a\n  schedulerName: nope\n", "scenarios[0].schedulerName: "},
		{"empty", "apiVersion: spillway.dev/v1alpha1\nkind: WhatIf\n", "scenarios: at least one is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "whatif.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadFile(path, cluster.Default(), cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error = %v, want it to name %s and contain %q", err, path, tt.want)
			}
		})
	}
}

func TestDuplicateScenarioNames(t *testing.T) {
	s := defaults(t)
	_, err := Run(context.Background(), Options{TracePath: traceFile, Scenarios: append(s, s[0]), Prices: cost.Default(), Backends: backends.Default()})
	if err == nil || !strings.Contains(err.Error(), `two scenarios are named "spillway"`) {
		t.Errorf("error = %v", err)
	}
}
