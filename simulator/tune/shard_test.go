package tune

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/klog/v2"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator/inprocess"
)

// shardEnv, when set to "INDEX/COUNT OUTFILE", makes the test binary run
// one shard of the small search and exit, as a Job pod would.
const shardEnv = "SPILLWAY_TUNE_TEST_SHARD"

func TestMain(m *testing.M) {
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false)
	if v := os.Getenv(shardEnv); v != "" {
		flag.Parse()
		os.Exit(runShardProcess(v))
	}
	os.Exit(m.Run())
}

func runShardProcess(v string) int {
	var index, count int
	var out string
	if _, err := fmt.Sscanf(v, "%d/%d %s", &index, &count, &out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	cfg, err := inprocess.LoadConfigFile("../../manifests/scheduler-config.yaml")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	o := Options{TracePath: smallTrace, Spec: smallSpec(), Config: cfg, Prices: cost.Default(), Backends: backends.Default(), Seed: 1}
	evals, err := RunShard(context.Background(), o, index, count)
	if err == nil {
		err = WriteJSONL(out, evals)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// Shards run as separate processes, merged, give what a single run gives.
func TestShardsMergeEqualSingle(t *testing.T) {
	single, err := Run(context.Background(), options(t, smallTrace, smallSpec()))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	const count = 3
	var first []Evaluation
	for i := range count {
		out := filepath.Join(dir, "shard-"+strconv.Itoa(i)+".jsonl")
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d/%d %s", shardEnv, i, count, out))
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("shard %d: %v\n%s", i, err, b)
		}
		evals, err := ReadJSONL(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evals {
			if e.ID%count != i {
				t.Errorf("shard %d evaluated sample %d", i, e.ID)
			}
		}
		first = append(first, evals...)
	}
	merged, err := Resume(context.Background(), options(t, smallTrace, smallSpec()), first)
	if err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(dir, "single"), filepath.Join(dir, "merged")
	if err := WriteOutputs(a, single, "t", "trace", "gen"); err != nil {
		t.Fatal(err)
	}
	if err := WriteOutputs(b, merged, "t", "trace", "gen"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(readDir(t, a), readDir(t, b)); diff != "" {
		t.Errorf("merged shards differ from a single run (-single +merged):\n%s", diff)
	}

	// A missing shard, or a shard of another search, is refused.
	if _, err := Resume(context.Background(), options(t, smallTrace, smallSpec()), first[1:]); err == nil || !strings.Contains(err.Error(), "shard is missing") {
		t.Errorf("merge without a sample: err = %v, want a missing shard", err)
	}
	other := options(t, smallTrace, smallSpec())
	other.Seed = 7
	if _, err := Resume(context.Background(), other, first); err == nil || !strings.Contains(err.Error(), "other inputs") {
		t.Errorf("merge under another seed: err = %v, want other inputs", err)
	}
}
