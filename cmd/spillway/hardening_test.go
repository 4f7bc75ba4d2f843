package main

import (
	"bytes"
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

const azurePrefix = "../../simulator/traces/azure-functions-2019/day1-10-functions"

// snapshot returns every regular file under dir (relative name ->
// content), without the output package's lock and manifest; it fails on
// a leftover staging directory.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(e.Name(), ".spillway-staging-") {
			t.Errorf("staging directory left behind: %s", p)
		}
		if !e.Type().IsRegular() || e.Name() == output.LockFile || e.Name() == output.ManifestFile {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Issue 15, finding 1: a failed import deleted --out (a file, a symlink's
// target cut to 0 bytes, a FIFO, /dev/full). Now a failure leaves it.
func TestImportFailureKeepsOut(t *testing.T) {
	tests := []struct {
		name string
		args []string // --out is appended
		want string
	}{
		{"bad option", []string{"import", "synthetic", "--workloads", "0"}, "workloads"},
		{"typo in the prefix", []string{"import", "azure-functions", azurePrefix + "-typo"}, "no such file"},
		{"bad alibaba format", []string{"import", "alibaba", "--format", "2019", azurePrefix + "-invocations.csv"}, "Format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "keep.jsonl"), "precious\n")
			writeFile(t, filepath.Join(dir, "target.jsonl"), "target\n")
			if err := os.Symlink("target.jsonl", filepath.Join(dir, "link.jsonl")); err != nil {
				t.Fatal(err)
			}
			for _, out := range []string{"keep.jsonl", "link.jsonl"} {
				if _, err := runCLI(t, append(tt.args, "--out", filepath.Join(dir, out))...); err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("--out %s: err = %v, want it to mention %q", out, err, tt.want)
				}
			}
			if diff := cmp.Diff(map[string]string{"keep.jsonl": "precious\n", "target.jsonl": "target\n"}, snapshot(t, dir)); diff != "" {
				t.Errorf("files after failed imports (-want +got):\n%s", diff)
			}
			if l, err := os.Readlink(filepath.Join(dir, "link.jsonl")); err != nil || l != "target.jsonl" {
				t.Errorf("the symlink is gone or changed: %q, %v", l, err)
			}
		})
	}
	t.Run("FIFO and /dev/full stay", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "fifo")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Fatal(err)
		}
		got := make(chan []byte)
		go func() { b, _ := os.ReadFile(fifo); got <- b }()
		if _, err := runCLI(t, "import", "synthetic", "--workloads", "0", "--out", fifo); err == nil {
			t.Error("import with --workloads 0 succeeded")
		}
		<-got
		if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
			t.Errorf("the FIFO is gone: %v", err)
		}
		if _, err := os.Stat("/dev/full"); err != nil {
			t.Skip("no /dev/full")
		}
		if _, err := runCLI(t, "import", "synthetic", "--workloads", "50", "--out", "/dev/full"); err == nil || !strings.Contains(err.Error(), "no space") {
			t.Errorf("import to /dev/full: err = %v, want no space left", err)
		}
		if st, err := os.Stat("/dev/full"); err != nil || st.Mode()&os.ModeCharDevice == 0 {
			t.Fatalf("/dev/full is gone or changed: %v", err)
		}
	})
	t.Run("success replaces the file and keeps the link", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "target.jsonl"), "old\n")
		if err := os.Symlink("target.jsonl", filepath.Join(dir, "link.jsonl")); err != nil {
			t.Fatal(err)
		}
		if _, err := runCLI(t, "import", "synthetic", "--workloads", "2", "--duration", "1h", "--out", filepath.Join(dir, "link.jsonl")); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(dir, "target.jsonl"))
		if l, _ := os.Readlink(filepath.Join(dir, "link.jsonl")); l != "target.jsonl" || !bytes.HasPrefix(b, []byte(`{"at":0`)) {
			t.Errorf("link %q, target %.40q", l, b)
		}
	})
}

// smallTrace imports 30 minutes of the bundled Azure trace into dir.
func smallTrace(t *testing.T, dir string) string {
	t.Helper()
	tr := filepath.Join(dir, "trace.jsonl")
	if _, err := runCLI(t, "import", "azure-functions", azurePrefix, "--minutes", "30", "--out", tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

// Issue 15, finding 5: concurrent runs mixed their files, a failed run
// emptied decisions.jsonl and kept the old summary. Now a second run is
// refused while one holds --out, a failed run changes nothing, and a run
// without --decisions does not leave an earlier run's decisions beside
// its summary.
func TestSimulateOutputsNeverMix(t *testing.T) {
	dir := t.TempDir()
	tr := smallTrace(t, dir)
	out := filepath.Join(dir, "out")
	if _, err := runCLI(t, "simulate", "--trace", tr, "--out", out, "--decisions"); err != nil {
		t.Fatal(err)
	}
	first := snapshot(t, out)
	if len(first) != 3 || first[simulator.DecisionsFile] == "" {
		t.Fatalf("first run wrote %d files", len(first))
	}

	held, err := output.OpenDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "simulate", "--trace", tr, "--out", out, "--decisions"); err == nil || !strings.Contains(err.Error(), "another spillway run is writing to it") {
		t.Errorf("a second run into a held --out: err = %v", err)
	}
	held.Close()

	bad := filepath.Join(dir, "bad.jsonl")
	writeFile(t, bad, `{"at":0,"op":"delete","name":"a/b"}`+"\n")
	if _, err := runCLI(t, "simulate", "--trace", bad, "--out", out, "--decisions"); err == nil {
		t.Error("a bad trace succeeded")
	}
	if diff := cmp.Diff(first, snapshot(t, out)); diff != "" {
		t.Errorf("a failed run changed --out (-want +got):\n%s", diff)
	}

	if _, err := runCLI(t, "simulate", "--trace", tr, "--out", out, "--until", "10m"); err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range snapshot(t, out) {
		names = append(names, n)
	}
	if diff := cmp.Diff([]string{simulator.SummaryFile, simulator.SeriesFile}, names, cmpSorted); diff != "" {
		t.Errorf("after a run without --decisions (-want +got):\n%s", diff)
	}
}

var cmpSorted = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

// Issue 15, findings 5, 10 and 11: whatif --only left an earlier run's
// other scenarios; a scenario named ../../evil wrote outside --out; an
// unwritable --out failed only after every simulation.
func TestWhatifOutputs(t *testing.T) {
	dir := t.TempDir()
	tr := smallTrace(t, dir)
	out := filepath.Join(dir, "report")
	if _, err := runCLI(t, "whatif", "--trace", tr, "--out", out, "--only", "spillway,no-virtual"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "no-virtual", simulator.SummaryFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "whatif", "--trace", tr, "--out", out, "--only", "spillway"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "no-virtual")); !os.IsNotExist(err) {
		t.Errorf("no-virtual/ of the earlier run is still there (%v)", err)
	}

	evil := filepath.Join(dir, "evil.yaml")
	writeFile(t, evil, "apiVersion: spillway.dev/v1alpha1\nkind: WhatIf\nscenarios:\n- name: ../../evil\n")
	stdout, err := runCLI(t, "whatif", "--trace", tr, "--out", filepath.Join(dir, "a", "b"), "--scenarios", evil)
	if err == nil || !strings.Contains(err.Error(), `scenarios[0].name: scenario name "../../evil": a lowercase RFC 1123 label`) {
		t.Errorf("scenario ../../evil: err = %v", err)
	}
	if strings.Contains(stdout, "[1/") {
		t.Errorf("simulations ran before the bad name was refused:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "evil")); !os.IsNotExist(err) {
		t.Errorf("%s exists", filepath.Join(dir, "evil"))
	}

	notDir := filepath.Join(dir, "file")
	writeFile(t, notDir, "")
	for _, args := range [][]string{
		{"whatif", "--trace", tr},
		{"plan", "--trace", tr, "--counts", "1", "--instance-types", "m5.large", "--no-progress"},
		{"tune", "--trace", tr, "--samples", "2", "--no-progress"},
		{"tune", "--trace", tr, "--samples", "2", "--no-progress", "--shard-index", "0", "--shard-count", "2"},
		{"simulate", "--trace", tr},
	} {
		start := time.Now()
		stdout, err := runCLI(t, append(args, "--out", filepath.Join(notDir, "out"))...)
		if err == nil || !strings.Contains(err.Error(), "--out "+filepath.Join(notDir, "out")) {
			t.Errorf("%s: err = %v, want it to name --out", args[0], err)
		}
		if strings.Contains(stdout, "[1/") || time.Since(start) > 5*time.Second {
			t.Errorf("%s: simulations ran before --out was found unwritable (%s):\n%s", args[0], time.Since(start), stdout)
		}
	}
}

// Issue 15, finding 12: spillway --version printed the help.
func TestVersion(t *testing.T) {
	out, err := runCLI(t, "--version")
	if err != nil || !strings.HasPrefix(out, "spillway ") || strings.Contains(out, "Usage") {
		t.Errorf("--version: %q, %v", out, err)
	}
}
