package tune

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spillway-dev/spillway/simulator/trace"
)

// thresholdTrace is built so that the best VM headroom threshold is known.
// One worker of 4 CPUs. At 0 a burst of four 1-CPU pods arrives: the k-th
// goes to the VM while the VM's utilisation with it, k/4, is under the
// threshold h, so h in (50, 75] keeps two of them on the VM. At 10 s two
// steady 1-CPU pods arrive and stay for six hours: they fit on the VM only
// if at most two burst pods are there. The burst leaves after 10 minutes.
// Every h of 51..75 costs the same and every other h costs more: below,
// more of the burst runs serverless; above, a steady pod runs serverless
// for six hours.
func thresholdTrace(t *testing.T) string {
	return writeTrace(t, []trace.Event{
		scale(0, "default/burst", 4, template("burst")),
		scale(10, "default/steady", 2, template("steady")),
		scale(600, "default/burst", 0, nil),
		scale(6*3600, "default/steady", 2, nil),
	})
}

func TestFindsKnownBestThreshold(t *testing.T) {
	s := &Spec{APIVersion: APIVersion, Kind: Kind,
		Space:  Space{VMHeadroomPercent: &IntRange{0, 100}, SteadinessWeight: &IntRange{10, 10}},
		Search: Search{Samples: 6, FirstRung: 1, RefineRounds: 2, Holdout: -1}}
	o := options(t, thresholdTrace(t), s)
	o.Cluster = oneWorker(t)
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := strconv.Atoi(res.Best.Params[ParamVMHeadroomPercent])
	if h < 51 || h > 75 {
		t.Errorf("best vmHeadroomPercent = %d, want 51..75", h)
	}
	// The trace is what the doc says: inside the band every threshold
	// costs the best cost, outside every one costs more.
	inside, outside := 0, 0
	for _, e := range res.Evaluations {
		if e.ID < 0 || e.Stage == StageTraining || e.Stage == StageTrace {
			continue
		}
		v, _ := strconv.Atoi(e.Params[ParamVMHeadroomPercent])
		switch in := v >= 51 && v <= 75; {
		case in && e.Metrics.TotalUSD != res.Best.Metrics.TotalUSD:
			t.Errorf("h=%d costs %v, want the best cost %v", v, e.Metrics.TotalUSD, res.Best.Metrics.TotalUSD)
		case in:
			inside++
		case e.Metrics.TotalUSD <= res.Best.Metrics.TotalUSD:
			t.Errorf("h=%d costs %v, want more than the best %v", v, e.Metrics.TotalUSD, res.Best.Metrics.TotalUSD)
		default:
			outside++
		}
	}
	if inside == 0 || outside == 0 {
		t.Errorf("evaluated %d thresholds inside the band and %d outside, want some of both", inside, outside)
	}
	// The shipped profile (Steadiness at weight 1, h = 100: the VMs fill
	// first) runs a steady pod serverless for six hours: the tuned one is
	// cheaper on the same trace.
	var tuned, shipped float64
	for _, e := range res.Compare {
		switch e.Name {
		case "tuned":
			tuned = e.Metrics.TotalUSD
		case "spillway":
			shipped = e.Metrics.TotalUSD
		}
	}
	if !(tuned < shipped) {
		t.Errorf("tuned costs %v, shipped profile %v; want tuned cheaper", tuned, shipped)
	}
}

// Seeded runs write byte-identical outputs, however many run at once.
func TestSeededRunsIdentical(t *testing.T) {
	dirs := map[int]string{}
	for _, par := range []int{1, 3} {
		o := options(t, smallTrace, smallSpec())
		o.Parallel = par
		res, err := Run(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		dirs[par] = filepath.Join(t.TempDir(), "out")
		if err := WriteOutputs(dirs[par], res, "t", "trace", "gen"); err != nil {
			t.Fatal(err)
		}
	}
	a, b := readDir(t, dirs[1]), readDir(t, dirs[3])
	if len(a) != 6 {
		t.Fatalf("wrote %d files, want 6", len(a))
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("outputs differ between 1 and 3 parallel runs (-1 +3):\n%s", diff)
	}
	// Another seed samples other points.
	o := options(t, smallTrace, smallSpec())
	o.Seed = 2
	r1, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	o.Seed = 1
	r2, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Equal(r1.Evaluations[0].Point, r2.Evaluations[0].Point) {
		t.Errorf("seeds 1 and 2 drew the same first sample %v", r1.Evaluations[0].Point)
	}
}

// A candidate at the shipped profile's values, encoded and decoded again,
// schedules exactly as the shipped profile does.
func TestCandidateOfShippedValues(t *testing.T) {
	d := func(s string) Duration {
		v, err := time.ParseDuration(s)
		if err != nil {
			t.Fatal(err)
		}
		return Duration{v}
	}
	s := &Spec{APIVersion: APIVersion, Kind: Kind,
		Space: Space{BurstCostWeight: &IntRange{5, 5}, SteadinessWeight: &IntRange{1, 1}, VMHeadroomPercent: &IntRange{100, 100},
			BasePercentile: &IntRange{50, 50}, Window: &DurationRange{d("1h"), d("1h")}, DefaultHorizon: &DurationRange{d("1h"), d("1h")},
			WorkerInstanceTypes: []string{"m5.xlarge"}, WorkerCount: &IntRange{1, 1}},
		Search: Search{Samples: 1, FirstRung: 1, RefineRounds: -1, Holdout: -1}}
	o := options(t, thresholdTrace(t), s)
	o.Cluster = oneWorker(t)
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Metrics{}
	for _, e := range res.Compare {
		got[e.Name] = e.Metrics
	}
	if diff := cmp.Diff(got["spillway"], got["tuned"]); diff != "" {
		t.Errorf("shipped values (-shipped profile +candidate):\n%s", diff)
	}
	if got["tuned"].ServerlessUSD == 0 || got["tuned"].DedicatedUSD == 0 {
		t.Errorf("want pods on both VMs and serverless, got %+v", got["tuned"])
	}
}
