package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	batchv1 "k8s.io/api/batch/v1"

	"github.com/spillway-dev/spillway/simulator/inprocess"
)

const tuneTrace = "../../simulator/whatif/testdata/azure10-2h.jsonl"

func dirFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

// tune writes a deployable configuration; its shards and merge write the
// same files as a single run.
func TestTuneCommand(t *testing.T) {
	dir := t.TempDir()
	common := []string{"--trace", tuneTrace, "--samples", "4", "--p99-start-latency", "90s", "--no-progress"}
	single := filepath.Join(dir, "single")
	out, err := runCLI(t, append([]string{"tune", "--out", single}, common...)...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Best: ") || !strings.Contains(out, "holdout") {
		t.Errorf("output lacks the best and the held-out rows:\n%s", out)
	}
	cfg, err := inprocess.LoadConfigFile(filepath.Join(single, "scheduler-config.yaml"))
	if err != nil {
		t.Fatalf("the tuned configuration does not load as kube-scheduler's: %v", err)
	}
	var names []string
	for _, p := range cfg.Profiles {
		names = append(names, p.SchedulerName)
	}
	if diff := cmp.Diff([]string{"spillway"}, names); diff != "" {
		t.Errorf("profiles (-want +got):\n%s", diff)
	}

	shards := filepath.Join(dir, "shards")
	for _, i := range []string{"0", "1"} {
		if _, err := runCLI(t, append([]string{"tune", "--out", shards, "--shard-index", i, "--shard-count", "2"}, common...)...); err != nil {
			t.Fatal(err)
		}
	}
	merged := filepath.Join(dir, "merged")
	if _, err := runCLI(t, append([]string{"tune", "merge", "--shards", shards, "--out", merged}, common...)...); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(dirFiles(t, single), dirFiles(t, merged)); diff != "" {
		t.Errorf("merged shards differ from a single run (-single +merged):\n%s", diff)
	}
}

func TestTuneCommandErrors(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "tune.yaml")
	if err := os.WriteFile(spec, []byte("apiVersion: spillway.dev/v1alpha1\nkind: Tune\nspace:\n  vmHeadroomPercent: {min: 90, max: 10}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"tune", "--out", "x"}, "--trace and --out are required"},
		{[]string{"tune", "--trace", tuneTrace, "--out", "x", "--max-serverless-share", "2"}, "the tune flags: objectives.maxServerlessShare: must be between 0 and 1, got 2"},
		{[]string{"tune", "--trace", tuneTrace, "--out", "x", "--spec", spec}, spec + ": space.vmHeadroomPercent: want 0 <= min <= max <= 100, got min 90, max 10"},
		{[]string{"tune", "--trace", tuneTrace, "--out", "x", "--shard-index", "3", "--shard-count", "2"}, "want 0 <= index < count"},
		{[]string{"tune", "--trace", tuneTrace, "--out", "x", "--emit-job", "job.yaml"}, "--emit-job needs --job-image"},
		{[]string{"tune", "--trace", "day.jsonl", "--out", "x\nkind: Pod", "--shard-count", "2", "--job-image", "i", "--emit-job", filepath.Join(t.TempDir(), "job.yaml")},
			`--out "x\nkind: Pod": a control character ("\n" at byte 1) cannot go into the Job`},
		{[]string{"tune", "--trace", "t\r.jsonl", "--out", "x", "--shard-count", "2", "--job-image", "i", "--emit-job", filepath.Join(t.TempDir(), "job.yaml")},
			`--trace "t\r.jsonl": a control character`},
		{[]string{"tune", "--trace", "day.jsonl", "--out", "x", "--shard-count", "2", "--job-image", "i\n", "--emit-job", filepath.Join(t.TempDir(), "job.yaml")},
			`a control character ("\n" at byte 1)`},
		{[]string{"tune", "--trace", "day.jsonl", "--out", "x", "--shard-count", "2", "--job-image", "i", "--job-name", "A_B", "--emit-job", filepath.Join(t.TempDir(), "job.yaml")},
			`--job-name "A_B": a lowercase RFC 1123 subdomain`},
		{[]string{"tune", "merge", "--trace", tuneTrace, "--out", "x", "--shards", t.TempDir()}, "no shard-*-of-*.jsonl files"},
	} {
		if _, err := runCLI(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestTuneEmitJob(t *testing.T) {
	path := filepath.Join(t.TempDir(), "job.yaml")
	if _, err := runCLI(t, "tune", "--trace", "traces/day.jsonl", "--out", "results", "--samples", "64", "--seed", "7",
		"--shard-count", "8", "--job-parallelism", "4", "--job-image", "example.org/spillway:1", "--emit-job", path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var job batchv1.Job
	if err := yaml.UnmarshalStrict(data, &job); err != nil {
		t.Fatal(err)
	}
	if *job.Spec.Completions != 8 || *job.Spec.Parallelism != 4 || *job.Spec.CompletionMode != batchv1.IndexedCompletion {
		t.Errorf("completions %d, parallelism %d, mode %s; want 8, 4, Indexed", *job.Spec.Completions, *job.Spec.Parallelism, *job.Spec.CompletionMode)
	}
	c := job.Spec.Template.Spec.Containers[0]
	want := []string{"tune", "--out=/work/results", "--samples=64", "--seed=7", "--trace=/work/traces/day.jsonl", "--shard-count=8", "--no-progress"}
	if diff := cmp.Diff(want, c.Args); diff != "" {
		t.Errorf("container args (-want +got):\n%s", diff)
	}
	if c.VolumeMounts[0].MountPath != "/work" || job.Spec.Template.Spec.Volumes[0].PersistentVolumeClaim == nil {
		t.Errorf("want the results volume claim mounted at /work, got %+v", job.Spec.Template.Spec)
	}
	if !strings.Contains(string(data), "spillway tune merge --shards results --out=results --samples=64 --seed=7 --trace=traces/day.jsonl") {
		t.Errorf("the header lacks the merge command:\n%s", data)
	}
}
