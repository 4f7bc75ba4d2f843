package alibaba

import (
	"bytes"
	"errors"
	"github.com/spillway-dev/spillway/simulator/importers"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/spillway-dev/spillway/simulator/trace"
)

func readEvents(t testing.TB, b []byte) []trace.Event {
	t.Helper()
	r := trace.NewReader(bytes.NewReader(b), "out.jsonl")
	var evs []trace.Event
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			return evs
		}
		if err != nil {
			t.Fatalf("reading the output back: %v", err)
		}
		evs = append(evs, ev)
	}
}

// job is the expected event of a Job; cpu or mem "" requests nothing.
func job(at float64, name string, n int32, runFor float64, cpu, mem string) trace.Event {
	req := v1.ResourceList{}
	if cpu != "" {
		req[v1.ResourceCPU] = resource.MustParse(cpu)
	}
	if mem != "" {
		req[v1.ResourceMemory] = resource.MustParse(mem)
	}
	if len(req) == 0 {
		req = nil
	}
	return trace.Event{
		At: at, Op: trace.OpScale, Workload: "batch/" + name, Kind: trace.Job, Replicas: &n, RunFor: &runFor,
		Template: &v1.Pod{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
			Spec: v1.PodSpec{RestartPolicy: v1.RestartPolicyNever, Tolerations: importers.VirtualNodeTolerations(), Containers: []v1.Container{{
				Name: "task", Image: "registry.k8s.io/pause:3.10", Resources: v1.ResourceRequirements{Requests: req},
			}}},
		},
	}
}

func TestConvert(t *testing.T) {
	tests := []struct {
		name, file, format string
		sorted             bool
		memGiB             float64
		scale              float64 // RequestScale; 0: the default
		maxReplicas        int32
		input              string // instead of file
		want               []trace.Event
		wantStats          Stats
	}{{
		name: "2018", file: "batch_task-2018.csv", format: Format2018,
		want: []trace.Event{
			job(0, "j-1-r2-1-bf45e013", 1, 5, "500m", "197Mi"),
			job(10, "j-1-m1-8e941375", 2, 60, "1", "384Mi"),
		},
		wantStats: Stats{Rows: 6, Jobs: 2, SkippedStatus: 2, SkippedNoInstances: 1, SkippedBadTimes: 1, Duration: 10},
	}, {
		name: "2018 machine memory", file: "batch_task-2018.csv", format: Format2018, memGiB: 100,
		want: []trace.Event{
			job(0, "j-1-r2-1-bf45e013", 1, 5, "500m", "205Mi"), // 0.2% of 100 GiB = 204.8 MiB
			job(10, "j-1-m1-8e941375", 2, 60, "1", "400Mi"),
		},
		wantStats: Stats{Rows: 6, Jobs: 2, SkippedStatus: 2, SkippedNoInstances: 1, SkippedBadTimes: 1, Duration: 10},
	}, {
		name: "2017", file: "batch_task-2017.csv", format: Format2017,
		want: []trace.Event{
			job(0, "1-2", 1, 10, "2", "328Mi"),
			job(50, "1-1", 2, 60, "1", "656Mi"),
			job(70, "3-1", 1, 10, "", ""),
		},
		wantStats: Stats{Rows: 4, Jobs: 3, SkippedStatus: 1, Duration: 70},
	}, {
		name: "2017 sorted", format: Format2017, sorted: true,
		input: "50,60,1,2,1,Terminated,2,0.005\n10,11,9,9,1,Failed,1,0.1\n100,160,1,1,2,Terminated,1,0.01\n100,101,1,3,1,terminated,1,\n",
		want: []trace.Event{
			job(0, "1-2", 1, 10, "2", "328Mi"),
			job(50, "1-1", 2, 60, "1", "656Mi"),
			job(50, "1-3", 1, 1, "1", ""),
		},
		wantStats: Stats{Rows: 4, Jobs: 3, SkippedStatus: 1, MissingPlan: 1, Duration: 50},
	}, {
		// Issue 14, finding 4: requests x 0.5 (rounded up), at most one
		// pod per Job.
		name: "2018 request scale and max replicas", file: "batch_task-2018.csv", format: Format2018, scale: 0.5, maxReplicas: 1,
		want: []trace.Event{
			job(0, "j-1-r2-1-bf45e013", 1, 5, "250m", "99Mi"),
			job(10, "j-1-m1-8e941375", 1, 60, "500m", "192Mi"),
		},
		wantStats: Stats{Rows: 6, Jobs: 2, SkippedStatus: 2, SkippedNoInstances: 1, SkippedBadTimes: 1, Duration: 10},
	}, {
		name: "empty", format: Format2018, input: "",
		wantStats: Stats{},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.input)
			if tt.file != "" {
				var err error
				if in, err = os.ReadFile(filepath.Join("testdata", tt.file)); err != nil {
					t.Fatal(err)
				}
			}
			opts := DefaultOptions()
			opts.Format, opts.Sorted, opts.MachineMemoryGiB = tt.format, tt.sorted, tt.memGiB
			if tt.scale != 0 {
				opts.RequestScale = tt.scale
			}
			opts.MaxReplicas = tt.maxReplicas
			var out bytes.Buffer
			w := trace.NewWriter(&out)
			st, err := Convert(bytes.NewReader(in), tt.file, opts, w)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, readEvents(t, out.Bytes())); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantStats, st); diff != "" {
				t.Errorf("stats (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConvertErrors(t *testing.T) {
	tests := []struct {
		name, format string
		sorted       bool
		input        string
		want         string
	}{
		{"field count", Format2018, false, "M1,2,j_1,1,Terminated,100,160,100\n", "bt.csv:1: wrong number of fields"},
		{"fractional instances", Format2018, false, "M1,2,j_1,1,Terminated,100,160,100,1\nM2,1.5,j_1,1,Terminated,100,160,100,1\n", `bt.csv:2: column instance_num: want a whole number, got "1.5"`},
		{"memory over machine", Format2018, false, "M1,2,j_1,1,Terminated,100,160,100,101\n", `bt.csv:1: column plan_mem: want a number 0..100, got "101"`},
		{"2017 memory over machine", Format2017, false, "1,2,1,1,1,Terminated,1,1.5\n", `bt.csv:1: column plan_mem: want a number 0..1, got "1.5"`},
		{"bad start", Format2017, false, "x,2,1,1,1,Terminated,1,0.5\n", `bt.csv:1: column start_time: want a number`},
		{"missing end", Format2018, false, "M1,2,j_1,1,Terminated,100,,100,1\n", `bt.csv:1: column end_time: want a number`},
		{"empty job", Format2018, false, "M1,2,,1,Terminated,100,160,100,1\n", `bt.csv:1: column job_name: empty`},
		{"bare quote", Format2018, false, "M\"1,2,j,1,Terminated,100,160,100,1\n", `bt.csv:1: bare " in non-quoted-field`},
		// Issue 15, finding 3: accepted, and then crashed the simulator.
		{"instance_num MaxInt32", Format2018, false, "M1,2147483647,j_1,1,Terminated,100,160,100,1\n", `bt.csv:1: column instance_num: want a number 0..100000, got "2147483647"`},
		{"end 1e15", Format2018, false, "M1,2,j_1,1,Terminated,100,1e15,100,1\n", `bt.csv:1: column end_time: want a number 0..2.6784e+06, got "1e15"`},
		{"start 1e15", Format2018, false, "M1,2,j_1,1,Terminated,1e15,2e15,100,1\n", `bt.csv:1: column start_time: want a number 0..2.6784e+06, got "1e15"`},
		{"not sorted", Format2017, true, "100,160,1,1,2,Terminated,1,0.01\n\n50,60,1,2,1,Terminated,2,0.005\n", `bt.csv:3: column start_time: 50 is before the previous task's 100`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.Format, opts.Sorted = tt.format, tt.sorted
			_, err := Convert(strings.NewReader(tt.input), "bt.csv", opts, trace.NewWriter(io.Discard))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Convert() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		f    func(*Options)
		want string // "" for valid
	}{
		{"2018", func(o *Options) { o.Format = Format2018 }, ""},
		{"2017", func(o *Options) { o.Format = Format2017 }, ""},
		{"no format", func(o *Options) {}, "Format:"},
		{"namespace", func(o *Options) { o.Format, o.Namespace = Format2018, "" }, "Namespace:"},
		{"image", func(o *Options) { o.Format, o.Image = Format2018, "" }, "Image:"},
		{"memory", func(o *Options) { o.Format, o.MachineMemoryGiB = Format2018, -1 }, "MachineMemoryGiB:"},
		{"request scale", func(o *Options) { o.Format, o.RequestScale = Format2018, 0 }, "RequestScale:"},
		{"max replicas", func(o *Options) { o.Format, o.MaxReplicas = Format2018, -1 }, "MaxReplicas:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions()
			tt.f(&o)
			err := o.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), "option "+tt.want)) {
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestTaskSize(t *testing.T) {
	if got := unsafe.Sizeof(task{}); got != 40 {
		t.Errorf("task is %d bytes, the package documentation says 40", got)
	}
}

func TestJobName(t *testing.T) {
	tests := []struct{ job, task, want string }{
		{"1", "2", "1-2"},
		{"j_1", "M1", "j-1-m1-8e941375"},
		{"j_1", "R2_1", "j-1-r2-1-bf45e013"},
		{"", "=", "t-14769c86"},
		{"j_1", "task_LTg0MTUwNTA5Mjg4MDg0MjcyMw==", "j-1-task-ltg0mtuwnta5mjg4mdg0mjcymw-43719426"},
		{strings.Repeat("a", 40), strings.Repeat("b", 40), strings.Repeat("a", 40) + "-" + strings.Repeat("b", 13) + "-64ba32b7"},
	}
	for _, tt := range tests {
		got := JobName(tt.job, tt.task)
		if got != tt.want {
			t.Errorf("JobName(%q, %q) = %q, want %q", tt.job, tt.task, got, tt.want)
		}
		if errs := validation.IsDNS1123Label(got); len(errs) > 0 {
			t.Errorf("JobName(%q, %q) = %q: %v", tt.job, tt.task, got, errs)
		}
	}
	if a, b := JobName("j_1", "M1"), JobName("j-1", "m1"); a == b {
		t.Errorf("JobName: distinct tasks share the name %q", a)
	}
}
