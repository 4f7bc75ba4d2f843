package tracegen

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spillway-dev/spillway/simulator/trace"
)

func generate(t *testing.T, o Options) (string, int64) {
	t.Helper()
	var b bytes.Buffer
	n, err := Generate(o, trace.NewWriter(&b))
	if err != nil {
		t.Fatal(err)
	}
	return b.String(), n
}

// A generated trace reads back valid, with the workloads asked for, and
// the seed decides it.
func TestGenerate(t *testing.T) {
	o := DefaultOptions()
	o.Workloads, o.Duration = 50, 6*time.Hour
	out, n := generate(t, o)
	r := trace.NewReader(strings.NewReader(out), "gen")
	workloads := map[string]bool{}
	var jobs, events int64
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		events++
		if ev.Kind == trace.Job {
			jobs++
		} else {
			workloads[ev.Workload] = true
		}
		if ev.At >= o.Duration.Seconds() {
			t.Fatalf("event at %v s, after the %v trace", ev.At, o.Duration)
		}
	}
	if events != n {
		t.Errorf("Generate said %d events, the trace has %d", n, events)
	}
	if len(workloads) == 0 || jobs == 0 || len(workloads) > o.Workloads {
		t.Errorf("%d Deployments and %d Job runs from %d workloads", len(workloads), jobs, o.Workloads)
	}
	if again, _ := generate(t, o); again != out {
		t.Error("the same options gave another trace")
	}
	o.Seed++
	if other, _ := generate(t, o); other == out {
		t.Error("another seed gave the same trace")
	}
}

func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		edit func(*Options)
		want string
	}{
		{func(o *Options) { o.Workloads = 0 }, "workloads"},
		{func(o *Options) { o.Duration = time.Second }, "duration"},
		{func(o *Options) { o.BurstPerHour = -1 }, "burstPerHour"},
		{func(o *Options) { o.JobShare = 2 }, "jobShare"},
		{func(o *Options) { o.Namespace = "" }, "namespace"},
		{func(o *Options) { o.RequestScale = 0 }, "requestScale"},
		{func(o *Options) { o.RequestScale = 11 }, "requestScale"},
		// Issue 15: bounds checked before anything is generated.
		{func(o *Options) { o.Workloads = 1_000_000_000 }, "workloads: want 1..100000, got 1000000000"},
		{func(o *Options) { o.Duration = 2000000 * time.Hour }, "duration: want 1m..744h0m0s (the bound of a trace's times)"},
		{func(o *Options) { o.Namespace = "Bad_NS" }, `namespace: "Bad_NS": a lowercase RFC 1123 label`},
	} {
		o := DefaultOptions()
		tt.edit(&o)
		if err := o.Validate(); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("error = %v, want it to start with %q", err, tt.want)
		}
	}
}

// RequestScale scales every template's requests, with a floor of 1m and
// 1Mi, and changes nothing else: the same workloads, events and counts.
func TestRequestScale(t *testing.T) {
	o := DefaultOptions()
	o.Workloads, o.Duration = 40, 3*time.Hour
	requests := func(o Options) (cpu, mem []int64, shape []string) {
		out, _ := generate(t, o)
		r := trace.NewReader(strings.NewReader(out), "gen")
		for {
			ev, err := r.Next()
			if errors.Is(err, io.EOF) {
				return cpu, mem, shape
			}
			if err != nil {
				t.Fatal(err)
			}
			shape = append(shape, fmt.Sprintf("%v %s %s %v", ev.At, ev.Op, ev.Workload, *ev.Replicas))
			if ev.Template != nil {
				req := ev.Template.Spec.Containers[0].Resources.Requests
				cpu, mem = append(cpu, req.Cpu().MilliValue()), append(mem, req.Memory().Value())
			}
		}
	}
	cpu1, mem1, shape1 := requests(o)
	for _, scale := range []float64{0.05, 0.001, 2} {
		o.RequestScale = scale
		cpu, mem, shape := requests(o)
		if diff := cmp.Diff(shape1, shape); diff != "" {
			t.Errorf("scale %v changed the events (-1 +scaled):\n%s", scale, diff)
		}
		var wantCPU, wantMem []int64
		for i := range cpu1 {
			wantCPU = append(wantCPU, max(1, int64(math.Round(float64(cpu1[i])*scale))))
			wantMem = append(wantMem, max(1, int64(math.Round(float64(mem1[i]>>20)*scale)))<<20)
		}
		if diff := cmp.Diff(wantCPU, cpu); diff != "" {
			t.Errorf("scale %v: milli-CPU (-want +got):\n%s", scale, diff)
		}
		if diff := cmp.Diff(wantMem, mem); diff != "" {
			t.Errorf("scale %v: memory bytes (-want +got):\n%s", scale, diff)
		}
	}
}
