package tune

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spillway-dev/spillway/simulator/trace"
)

const specHead = "apiVersion: spillway.dev/v1alpha1\nkind: Tune\n"

func TestParseSpecRejects(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"wrong kind", "apiVersion: spillway.dev/v1alpha1\nkind: WhatIf\n", `kind Tune, got "spillway.dev/v1alpha1" and "WhatIf"`},
		{"unknown field", specHead + "objectives:\n  p99: 60s\n", "field p99 not found"},
		{"bad duration", specHead + "objectives:\n  p99StartLatency: soon\n", `time: invalid duration "soon"`},
		{"negative p99", specHead + "objectives:\n  p99StartLatency: -1s\n", "objectives.p99StartLatency: must be greater than 0, got -1s"},
		{"zero pending", specHead + "objectives:\n  maxPending: 0s\n", "objectives.maxPending: must be greater than 0"},
		{"share over 1", specHead + "objectives:\n  maxServerlessShare: 1.5\n", "objectives.maxServerlessShare: must be between 0 and 1, got 1.5"},
		{"negative spend", specHead + "objectives:\n  maxServerlessUSD: -3\n", "objectives.maxServerlessUSD: must be a finite amount >= 0, got -3"},
		{"negative unscheduled", specHead + "objectives:\n  maxUnscheduled: -1\n", "objectives.maxUnscheduled: must be >= 0"},
		{"weight range reversed", specHead + "space:\n  burstCostWeight: {min: 9, max: 3}\n", "space.burstCostWeight: want 0 <= min <= max <= 100, got min 9, max 3"},
		{"headroom over 100", specHead + "space:\n  vmHeadroomPercent: {min: 50, max: 120}\n", "space.vmHeadroomPercent: want 0 <= min <= max <= 100"},
		{"zero window", specHead + "space:\n  window: {min: 0s, max: 1h}\n", "space.window: want 1s <= min <= max <= 168h0m0s"},
		{"duplicate type", specHead + "space:\n  workerInstanceTypes: [m5.xlarge, m5.xlarge]\n", `space.workerInstanceTypes[1]: want a distinct instance type name, got "m5.xlarge"`},
		{"zero workers", specHead + "space:\n  workerCount: {min: 0, max: 3}\n", "space.workerCount: want 1 <= min"},
		{"rung over 1", specHead + "search:\n  firstRung: 2\n", "search.firstRung: want a fraction in (0, 1], got 2"},
		{"holdout too big", specHead + "search:\n  holdout: 0.95\n", "search.holdout: want a fraction in [0, 0.9]"},
		{"samples", specHead + "search:\n  samples: -4\n", "search.samples: want 1..100000, got -4"},
		{"all reported", specHead + "objectives:\n  maxPending: -1s\nsearch:\n  keep: 3\n", "objectives.maxPending: must be greater than 0, got -1s; search.keep"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSpec([]byte(tc.body), "tune.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "tune.yaml") {
				t.Errorf("err = %v, want one starting with tune.yaml and containing %q", err, tc.want)
			}
		})
	}
}

func TestParseSpecDefaults(t *testing.T) {
	s, err := ParseSpec([]byte(specHead+"objectives:\n  p99StartLatency: 1m\nspace:\n  vmHeadroomPercent: {min: 50, max: 90}\n"), "tune.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := Search{Samples: 32, FirstRung: 0.25, Keep: 0.34, RefineRounds: 3, Holdout: 0.25}
	if diff := cmp.Diff(want, s.Search); diff != "" {
		t.Errorf("search defaults (-want +got):\n%s", diff)
	}
	if s.SchedulerName != "spillway" || s.Objectives.P99StartLatency.Seconds() != 60 {
		t.Errorf("schedulerName %q, p99 %v; want spillway, 1m", s.SchedulerName, s.Objectives.P99StartLatency)
	}
}

// A space the profile or the catalogs cannot take fails before any run.
func TestRunRejectsSpace(t *testing.T) {
	noSteadiness, err := ParseSpec([]byte(specHead+"schedulerName: default-scheduler\nspace:\n  steadinessWeight: {min: 1, max: 5}\n"), "s")
	if err != nil {
		t.Fatal(err)
	}
	unknownType := smallSpec()
	unknownType.Space.WorkerInstanceTypes = []string{"m5.xlarge", "z9.huge"}
	empty := &Spec{APIVersion: APIVersion, Kind: Kind}
	for _, tc := range []struct {
		name string
		spec *Spec
		want string
	}{
		{"plugin not enabled", noSteadiness, "space: profile default-scheduler does not enable Steadiness in multiPoint or score"},
		{"unknown instance type", unknownType, `space.workerInstanceTypes[1]: "z9.huge" is not in the price catalog`},
		{"nothing to search", empty, "space: nothing to search"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), options(t, smallTrace, tc.spec))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestWriteWindow(t *testing.T) {
	run := func(v float64) *float64 { return &v }
	bare := template("burst")
	bare.Name, bare.Namespace = "job-a", "default"
	gone := template("burst")
	gone.Name, gone.Namespace = "job-b", "default"
	ended := template("burst")
	ended.Name, ended.Namespace = "job-c", "default"
	path := writeTrace(t, []trace.Event{
		scale(0, "default/web", 3, template("steady")),
		{At: 10, Op: trace.OpCreate, Pod: bare, RunFor: run(100)},
		{At: 20, Op: trace.OpCreate, Pod: gone},
		{At: 30, Op: trace.OpCreate, Pod: ended, RunFor: run(5)},
		{At: 40, Op: trace.OpDelete, Name: "default/job-b"},
		scale(50, "default/web", 5, nil),
		scale(60, "default/web", 2, nil),
		scale(90, "default/web", 4, nil),
	})
	var b bytes.Buffer
	if err := WriteWindow(path, 60, &b); err != nil {
		t.Fatal(err)
	}
	r := trace.NewReader(&b, "window")
	var got []string
	for {
		ev, err := r.Next()
		if err != nil {
			break
		}
		s := string(ev.Op) + "@" + trimNum(ev.At)
		switch ev.Op {
		case trace.OpScale:
			s += " " + ev.Workload + "=" + trimNum(float64(*ev.Replicas))
			if ev.Template == nil {
				s += " no-template"
			}
		case trace.OpCreate:
			s += " " + ev.Pod.Name
			if ev.RunFor != nil {
				s += " for " + trimNum(*ev.RunFor)
			}
		}
		got = append(got, s)
	}
	want := []string{"scale@0 default/web=5", "create@0 job-a for 50", "scale@0 default/web=2 no-template", "scale@30 default/web=4 no-template"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("window from 60 s (-want +got):\n%s", diff)
	}
	if err := WriteWindow(path, 1000, &b); err == nil || !strings.Contains(err.Error(), "no event at or after 1000 s") {
		t.Errorf("window past the end: err = %v", err)
	}
}
