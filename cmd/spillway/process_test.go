package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spillway-dev/spillway/internal/output"
	"github.com/spillway-dev/spillway/simulator"
)

// Issue 15, finding 4: whatif --trace /dev/stdin gave the trace to one
// scenario and none to the others, and named a $0.00 winner. Now every
// scenario sees the whole trace; plan and tune too.
func TestTraceFromAPipe(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command in subprocesses")
	}
	dir := t.TempDir()
	tr := smallTrace(t, dir)
	data, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "report")
	cmd, stdout, stderr := spillway(t, 0, "whatif", "--trace", "/dev/stdin", "--out", out, "--only", "spillway,no-virtual,serverless-only", "--no-progress")
	cmd.Stdin = bytes.NewReader(data) // a pipe
	if code := exitCode(t, cmd); code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, stdout, stderr)
	}
	totals := map[string]int64{}
	for _, s := range []string{"spillway", "no-virtual", "serverless-only"} {
		b, err := os.ReadFile(filepath.Join(out, s, simulator.SummaryFile))
		if err != nil {
			t.Fatal(err)
		}
		var sum simulator.Summary
		if err := json.Unmarshal(b, &sum); err != nil {
			t.Fatal(err)
		}
		totals[s] = sum.Pods.Total
	}
	if totals["spillway"] == 0 || totals["no-virtual"] != totals["spillway"] || totals["serverless-only"] != totals["spillway"] {
		t.Errorf("pods per scenario from a pipe: %v, want the same non-zero count", totals)
	}

	// An error found by the simulation names the pipe, not the copy.
	cmd, _, stderr = spillway(t, 0, "whatif", "--trace", "/dev/stdin", "--out", filepath.Join(dir, "bad"), "--only", "spillway", "--no-progress")
	cmd.Stdin = strings.NewReader(`{"at":0,"op":"delete","name":"a/b"}` + "\n")
	if code := exitCode(t, cmd); code != 1 || !strings.Contains(stderr.String(), "/dev/stdin:1: delete: no pod a/b") {
		t.Errorf("a bad trace from a pipe: exit %d, stderr:\n%s", code, stderr)
	}

	cmd, stdout, stderr = spillway(t, 0, "plan", "--trace", "/dev/stdin", "--out", filepath.Join(dir, "plan"), "--counts", "1,2", "--instance-types", "m5.large", "--no-progress")
	cmd.Stdin = bytes.NewReader(data)
	if code := exitCode(t, cmd); code != 0 {
		t.Fatalf("plan: exit %d:\n%s%s", code, stdout, stderr)
	}
	var plan struct {
		Shapes []struct {
			Metrics struct {
				Pods int64 `json:"pods"`
			} `json:"metrics"`
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "plan", "plan.json"))
	if err := json.Unmarshal(b, &plan); err != nil || len(plan.Shapes) < 2 {
		t.Fatalf("plan.json: %v, %d shapes", err, len(plan.Shapes))
	}
	for i, s := range plan.Shapes {
		if s.Metrics.Pods != totals["spillway"] {
			t.Errorf("plan shape %d from a pipe: %d pods, want %d", i, s.Metrics.Pods, totals["spillway"])
		}
	}
}

// Issue 15, finding 5: SIGINT ended whatif without a message and left
// half-written files beside an earlier run's; tune left its holdout.jsonl.
// Now a signal stops the run with a message and exit 130, --out is as it
// was, and no temporary file is left.
func TestSignalStopsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command in subprocesses")
	}
	dir := t.TempDir()
	tr := filepath.Join(dir, "synthetic.jsonl")
	if _, err := runCLI(t, "import", "synthetic", "--workloads", "100", "--duration", "12h", "--request-scale", "0.2", "--out", tr); err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run("whatif "+sig.String(), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report")
			stage := func() {
				d, err := output.OpenDir(out)
				if err != nil {
					t.Fatal(err)
				}
				defer d.Close()
				for _, f := range []string{"report.md", "spillway/summary.json", "no-virtual/summary.json"} {
					os.MkdirAll(filepath.Dir(filepath.Join(d.Staging(), f)), 0o755)
					writeFile(t, filepath.Join(d.Staging(), f), "earlier run: "+f)
				}
				if err := d.Commit(); err != nil {
					t.Fatal(err)
				}
			}
			stage()
			before := snapshot(t, out)
			tmp := t.TempDir()
			cmd, stdout, stderr := spillway(t, 0, "whatif", "--trace", tr, "--out", out, "--no-progress")
			cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(1500 * time.Millisecond)
			cmd.Process.Signal(sig)
			err := cmd.Wait()
			code := cmd.ProcessState.ExitCode()
			if code != exitInterrupted || !strings.Contains(stderr.String(), "spillway: interrupted") {
				t.Errorf("exit %d (%v), want %d with a message; stderr:\n%s\nstdout:\n%s", code, err, exitInterrupted, stderr, stdout)
			}
			if diff := cmp.Diff(before, snapshot(t, out)); diff != "" {
				t.Errorf("--out changed (-before +after):\n%s", diff)
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
	t.Run("tune removes its held-out copy", func(t *testing.T) {
		tmp := t.TempDir()
		// No refinement: the search reaches the held-out check quickly.
		spec := filepath.Join(t.TempDir(), "tune.yaml")
		writeFile(t, spec, "apiVersion: spillway.dev/v1alpha1\nkind: Tune\nspace: {burstCostWeight: {min: 1, max: 20}}\nsearch: {samples: 2, refineRounds: -1, holdout: 0.5}\n")
		cmd, _, stderr := spillway(t, 0, "tune", "--trace", tr, "--out", filepath.Join(t.TempDir(), "tune"), "--spec", spec, "--no-progress")
		cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		var seen []string
	poll:
		for len(seen) == 0 {
			select {
			case <-exited:
				break poll
			case <-time.After(2 * time.Millisecond):
				seen, _ = filepath.Glob(filepath.Join(tmp, "spillway-tune-*", "holdout.jsonl"))
			}
		}
		cmd.Process.Signal(syscall.SIGTERM)
		<-exited
		if len(seen) == 0 {
			t.Fatalf("never saw holdout.jsonl; stderr:\n%s", stderr)
		}
		switch code := cmd.ProcessState.ExitCode(); code {
		case 0:
			t.Skip("the run ended before the signal")
		case exitInterrupted:
		default: // -1: killed by the signal, without cleaning up
			t.Errorf("exit %d (%s), want %d", code, cmd.ProcessState, exitInterrupted)
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("temporary files left after SIGTERM: %v (stderr:\n%s)", left, stderr)
		}
	})
}
