package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/trace"
)

// block returns the lines of formatsHelp after the line equal to start
// (trimmed) up to the next blank line, with indent removed.
func block(t *testing.T, start, indent string) string {
	t.Helper()
	var out []string
	in := false
	for _, l := range strings.Split(formatsHelp, "\n") {
		switch {
		case !in && strings.TrimSpace(l) == start:
			in = true
			if !strings.HasSuffix(start, ":") {
				out = append(out, strings.TrimPrefix(l, indent))
			}
		case in && strings.TrimSpace(l) == "":
			return strings.Join(out, "\n") + "\n"
		case in:
			out = append(out, strings.TrimPrefix(l, indent))
		}
	}
	t.Fatalf("no block %q in formatsHelp", start)
	return ""
}

// The examples of 'spillway help formats' are valid.
func TestFormatsHelpExamples(t *testing.T) {
	tr := block(t, "Example:", "    ")
	r := trace.NewReader(strings.NewReader(tr), "help example")
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 3 {
		t.Errorf("the trace example has %d events, want 3", n)
	}
	f, err := cluster.Parse([]byte(block(t, "apiVersion: spillway.dev/v1alpha1", "  ")), "help example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Build(cost.Default(), backends.Default()); err != nil {
		t.Fatal(err)
	}
}

func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// simulate writes its outputs; import then simulate round-trips a real
// trace; bad input names the file and line.
func TestSimulateCommand(t *testing.T) {
	dir := t.TempDir()
	tr := filepath.Join(dir, "trace.jsonl")
	if _, err := runCLI(t, "import", "azure-functions", "../../simulator/traces/azure-functions-2019/day1-10-functions",
		"--minutes", "30", "--out", tr); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	stdout, err := runCLI(t, "simulate", "--trace", tr, "--out", out, "--decisions", "--profile", "../../manifests/scheduler-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "Wrote "+out) {
		t.Errorf("output lacks where it wrote: %s", stdout)
	}
	var s simulator.Summary
	data, err := os.ReadFile(filepath.Join(out, simulator.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	if s.Pods.Total == 0 || s.Pods.Total != s.Pods.Dedicated+s.Pods.Serverless+s.Pods.Unscheduled || s.Cost.TotalUSD <= 0 {
		t.Errorf("implausible summary: %+v", s)
	}
	for _, f := range []string{simulator.SeriesFile, simulator.DecisionsFile} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}

	bad := filepath.Join(dir, "bad.jsonl")
	if err := os.WriteFile(bad, []byte("{\"at\":0,\"op\":\"delete\",\"name\":\"a/b\"}\n{\"at\":1,\"op\":\"explode\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "simulate", "--trace", bad, "--out", out); err == nil || !strings.Contains(err.Error(), bad+":1: delete: no pod a/b") {
		t.Errorf("error = %v, want it to name %s:1", err, bad)
	}
	if _, err := runCLI(t, "simulate", "--trace", tr, "--out", out, "--scheduler-name", "nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown profile: error = %v", err)
	}
}
