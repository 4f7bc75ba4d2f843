package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sample = `goos: linux
cpu: AMD EPYC
BenchmarkThroughput/nodes=5/profile=default-scheduler-2   100  50000 ns/op  20000 pods/s  300 allocs/op
BenchmarkThroughput/nodes=5/profile=spillway-2            100  60000 ns/op  15000 pods/s  320 allocs/op
BenchmarkThroughput/nodes=5/profile=default-scheduler-2   100  50000 ns/op  22000 pods/s  300 allocs/op
BenchmarkThroughput/nodes=5/profile=spillway-2            100  60000 ns/op  21000 pods/s  320 allocs/op
BenchmarkThroughput/nodes=5/profile=default-scheduler-2   100  50000 ns/op  21000 pods/s  300 allocs/op
BenchmarkThroughput/nodes=5/profile=spillway-2            100  60000 ns/op  20790 pods/s  320 allocs/op
BenchmarkReal/profile=default-scheduler#01-2                1  9 ns/op  100 pods/s
BenchmarkTuner/cores=2-2                                   10  5 ns/op  42.5 configs/s
BenchmarkSim/trace=day/loop=simulator-2                     1  1 ns/op  1.5 wall-s  900 peak-MiB
PASS
`

// The medians per benchmark (#NN and -GOMAXPROCS merged), the ratio of
// the medians, and the targets' verdicts.
func TestTable(t *testing.T) {
	dir := t.TempDir()
	res := filepath.Join(dir, "results.txt")
	wl := filepath.Join(dir, "workloads.yaml")
	must(t, os.WriteFile(res, []byte(sample), 0o600))
	must(t, os.WriteFile(wl, []byte(`profiles: [default-scheduler, spillway]
deployments: 1
pluginCalls: {workers: 1}
realScheduler: {workers: 1, pods: 1}
targets:
  - what: ratio
    compare: {key: profile, value: spillway, baseline: default-scheduler}
    metric: pods/s
    min: 0.97
  - what: memory
    benchmark: Sim/trace=*/loop=simulator
    metric: peak-MiB
    max: 300
`), 0o600))
	var out bytes.Buffer
	if err := run(wl, []string{res}, &out); !errors.Is(err, errTargetsMissed) {
		t.Errorf("run with a missed target = %v, want errTargetsMissed (benchtable exits 2, make bench fails)", err)
	}
	want := `goos: linux
cpu: AMD EPYC

benchmark (medians)                           runs  metrics
Throughput/nodes=5/profile=default-scheduler     3  21000 pods/s  300.0 allocs/op
Throughput/nodes=5/profile=spillway              3  20790 pods/s  320.0 allocs/op
Real/profile=default-scheduler                   1  100.0 pods/s
Tuner/cores=2                                    1  42.50 configs/s
Sim/trace=day/loop=simulator                     1  1.00 ns/op  1.50 wall-s  900.0 peak-MiB

targets
- ratio
  ok     Throughput/nodes=5/profile=spillway                          0.99 (want >= 0.97)  (pods/s 20790 vs 21000)
- memory
  MISSED Sim/trace=day/loop=simulator                                 900.0 (want <= 300.0) peak-MiB

1 target(s) missed: see bench/README.md for the gaps and where the time goes.
`
	if d := cmp.Diff(want, out.String()); d != "" {
		t.Errorf("table (-want +got):\n%s", d)
	}
	// With every target met, run answers nil (benchtable exits 0).
	met, err := os.ReadFile(wl)
	must(t, err)
	must(t, os.WriteFile(wl, bytes.Replace(met, []byte("max: 300"), []byte("max: 1000"), 1), 0o600))
	out.Reset()
	if err := run(wl, []string{res}, &out); err != nil {
		t.Errorf("run with every target met = %v, want nil", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
