package azurefunctions

import (
	"bytes"
	"errors"
	"github.com/spillway-dev/spillway/simulator/importers"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/spillway-dev/spillway/simulator/trace"
)

// readEvents reads a converted trace back, checking it as the simulator
// would.
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

func scale(at float64, workload string, n int32, tmpl *v1.Pod) trace.Event {
	return trace.Event{At: at, Op: trace.OpScale, Workload: workload, Kind: trace.Deployment, Replicas: &n, Template: tmpl}
}

func pod(name, cpu, mem string) *v1.Pod {
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
		Spec: v1.PodSpec{Tolerations: importers.VirtualNodeTolerations(), Containers: []v1.Container{{
			Name:  "fn",
			Image: "mcr.microsoft.com/azure-functions/base:4",
			Resources: v1.ResourceRequirements{Requests: v1.ResourceList{
				v1.ResourceCPU:    resource.MustParse(cpu),
				v1.ResourceMemory: resource.MustParse(mem),
			}},
		}}},
	}
}

func open(t testing.TB, set string) Inputs {
	t.Helper()
	in := Inputs{InvocationsName: set + "-invocations.csv", DurationsName: set + "-durations.csv", MemoryName: set + "-memory.csv"}
	read := func(n string) io.Reader {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		return bytes.NewReader(b)
	}
	in.Invocations, in.Durations, in.Memory = read(in.InvocationsName), read(in.DurationsName), read(in.MemoryName)
	return in
}

func TestConvert(t *testing.T) {
	opts := func(f func(*Options)) Options {
		o := DefaultOptions()
		o.Minutes = 4
		if f != nil {
			f(&o)
		}
		return o
	}
	tests := []struct {
		name      string
		set       string
		opts      Options
		want      []trace.Event
		wantStats Stats
	}{{
		name: "small",
		set:  "small",
		opts: opts(nil),
		want: []trace.Event{
			scale(0, "functions/app-aaaaaaaa1", 1, pod("app-aaaaaaaa1", "200m", "320Mi")),
			scale(0, "functions/app-aaaaaaaa9", 1, pod("app-aaaaaaaa9", "150m", "256Mi")),
			scale(120, "functions/app-aaaaaaaa1", 2, nil),
			scale(180, "functions/app-bbbbbbbb", 3, pod("app-bbbbbbbb", "550m", "1Gi")),
		},
		wantStats: Stats{Apps: 3, Functions: 4, FunctionsWithoutDuration: 1, AppsWithoutMemory: 1, AppsWritten: 3, Events: 4, PeakReplicas: 6, PeakAppReplicas: 3},
	}, {
		name: "window and namespace",
		set:  "small",
		opts: opts(func(o *Options) { o.StartMinute, o.Minutes, o.Namespace = 3, 2, "fx" }),
		want: []trace.Event{
			scale(0, "fx/app-aaaaaaaa1", 2, pod("app-aaaaaaaa1", "200m", "320Mi")),
			scale(0, "fx/app-aaaaaaaa9", 1, pod("app-aaaaaaaa9", "150m", "256Mi")),
			scale(60, "fx/app-bbbbbbbb", 3, pod("app-bbbbbbbb", "550m", "1Gi")),
		},
		wantStats: Stats{Apps: 3, Functions: 4, FunctionsWithoutDuration: 1, AppsWithoutMemory: 1, AppsWritten: 3, Events: 3, PeakReplicas: 6, PeakAppReplicas: 3},
	}, {
		name: "minute_ columns",
		set:  "minutes",
		opts: opts(func(o *Options) { o.Minutes = 3 }),
		want: []trace.Event{
			scale(0, "functions/app-dddddddd", 1, pod("app-dddddddd", "150m", "256Mi")),
			scale(60, "functions/app-cccccccc", 3, pod("app-cccccccc", "1050m", "2Gi")),
			scale(120, "functions/app-cccccccc", 0, nil),
			scale(120, "functions/app-dddddddd", 0, nil),
		},
		wantStats: Stats{Apps: 2, Functions: 2, AppsWithoutMemory: 1, AppsWritten: 2, Events: 4, PeakReplicas: 4, PeakAppReplicas: 3},
	}, {
		name: "concurrency and min replicas",
		set:  "minutes",
		opts: opts(func(o *Options) { o.StartMinute, o.Minutes, o.TargetConcurrency, o.MinReplicas = 2, 2, 2, 1 }),
		want: []trace.Event{
			scale(0, "functions/app-cccccccc", 2, pod("app-cccccccc", "1050m", "2Gi")),
			scale(0, "functions/app-dddddddd", 1, pod("app-dddddddd", "150m", "256Mi")),
			scale(60, "functions/app-cccccccc", 1, nil),
		},
		wantStats: Stats{Apps: 2, Functions: 2, AppsWithoutMemory: 1, AppsWritten: 2, Events: 3, PeakReplicas: 3, PeakAppReplicas: 2},
	}, {
		name: "max apps",
		set:  "minutes",
		opts: opts(func(o *Options) { o.Minutes, o.MaxApps = 3, 1 }),
		want: []trace.Event{
			scale(60, "functions/app-cccccccc", 3, pod("app-cccccccc", "1050m", "2Gi")),
			scale(120, "functions/app-cccccccc", 0, nil),
		},
		wantStats: Stats{Apps: 1, SkippedApps: 1, Functions: 1, AppsWritten: 1, Events: 2, PeakReplicas: 3, PeakAppReplicas: 3},
	}, {
		// Issue 14, finding 4: requests scaled after rounding (1050m,
		// 2Gi x 0.1 = 105m, 205Mi; 150m, 256Mi x 0.1 = 15m, 26Mi) and
		// at most 2 replicas per app.
		name: "request scale and max replicas",
		set:  "minutes",
		opts: opts(func(o *Options) { o.Minutes, o.RequestScale, o.MaxReplicas = 3, 0.1, 2 }),
		want: []trace.Event{
			scale(0, "functions/app-dddddddd", 1, pod("app-dddddddd", "15m", "26Mi")),
			scale(60, "functions/app-cccccccc", 2, pod("app-cccccccc", "105m", "205Mi")),
			scale(120, "functions/app-cccccccc", 0, nil),
			scale(120, "functions/app-dddddddd", 0, nil),
		},
		wantStats: Stats{Apps: 2, Functions: 2, AppsWithoutMemory: 1, AppsWritten: 2, Events: 4, PeakReplicas: 3, PeakAppReplicas: 2},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			w := trace.NewWriter(&out)
			st, err := Convert(open(t, tt.set), tt.opts, w)
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
	const (
		inv = "HashOwner,HashApp,HashFunction,1,2\no,a1,f1,1,2\n"
		dur = "HashApp,HashFunction,Average\na1,f1,100\n"
		mem = "HashApp,AverageAllocatedMb\na1,128\n"
	)
	tests := []struct {
		name          string
		inv, dur, mem string
		want          string
	}{
		{"bad invocation", "HashOwner,HashApp,HashFunction,1,2\no,a1,f1,1,2\no,a1,f2,1,x\n", dur, mem, `inv.csv:3: column 2: want a finite number >= 0, got "x"`},
		{"negative invocation", "HashOwner,HashApp,HashFunction,1,2\no,a1,f1,-1,2\n", dur, mem, `inv.csv:2: column 1: want a finite number >= 0, got "-1"`},
		{"missing HashApp", "HashOwner,App,HashFunction,1,2\n", dur, mem, `inv.csv:1: missing column "HashApp"`},
		{"missing minute", "HashOwner,HashApp,HashFunction,1\n", dur, mem, `inv.csv:1: missing column "2"`},
		{"wrong field count", "HashOwner,HashApp,HashFunction,1,2\no,a1,f1,1,2\no,a1,f2,1\n", dur, mem, `inv.csv:3: wrong number of fields`},
		{"bare quote", "HashOwner,HashApp,HashFunction,1,2\no,a\"1,f1,1,2\n", dur, mem, `inv.csv:2: bare " in non-quoted-field`},
		{"bad hash", "HashOwner,HashApp,HashFunction,1,2\no,a_1,f1,1,2\n", dur, mem, `inv.csv:2: column HashApp: want a hash of letters and digits, got "a_1"`},
		{"empty invocations", "", dur, mem, `inv.csv:1: empty file`},
		{"bad duration", inv, "HashApp,HashFunction,Average\na1,f1,100\na1,f2,NaN\n", mem, `dur.csv:3: column Average: want a finite number >= 0, got "NaN"`},
		{"missing Average", inv, "HashApp,HashFunction,Avg\n", mem, `dur.csv:1: missing column "Average"`},
		{"missing memory column", inv, dur, "HashApp,Mb\n", `mem.csv:1: missing column "AverageAllocatedMb_pct99" (or "AverageAllocatedMb")`},
		{"bad memory", inv, dur, "HashApp,AverageAllocatedMb\n\na1,1e300\n", `mem.csv:3: column AverageAllocatedMb: want at most`},
		// Issue 15, finding 3: absurd counts became replicas 2147483647 with exit 0.
		{"invocations 1e12", "HashOwner,HashApp,HashFunction,1,2\no,a1,f1,1e12,2\n", dur, mem, `inv.csv:2: column 1: 1e12 is over the bound 1e+09`},
		{"duration 1e308", inv, "HashApp,HashFunction,Average\na1,f1,1e308\n", mem, `dur.csv:2: column Average: 1e308 is over the bound 8.64e+07`},
		{"replicas over the bound", "HashOwner,HashApp,HashFunction,1,2\no,a1,f1,1e9,2\n", "HashApp,HashFunction,Average\na1,f1,60000\n", mem,
			`inv.csv: app app-a1, minute 1: 999999999 replicas is over the bound of a trace, 100000`},
		{"duplicate header", "HashApp,HashApp,HashFunction,1,2\n", dur, mem, `inv.csv:1: column "HashApp" appears twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.Minutes = 2
			in := Inputs{
				Invocations: strings.NewReader(tt.inv), Durations: strings.NewReader(tt.dur), Memory: strings.NewReader(tt.mem),
				InvocationsName: "inv.csv", DurationsName: "dur.csv", MemoryName: "mem.csv",
			}
			_, err := Convert(in, opts, trace.NewWriter(io.Discard))
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
		{"default", func(*Options) {}, ""},
		{"namespace", func(o *Options) { o.Namespace = "Bad_NS" }, "Namespace:"},
		{"image", func(o *Options) { o.Image = "" }, "Image:"},
		{"concurrency", func(o *Options) { o.TargetConcurrency = 0 }, "TargetConcurrency:"},
		{"duration", func(o *Options) { o.DefaultDurationSeconds = -1 }, "DefaultDurationSeconds:"},
		{"memory", func(o *Options) { o.DefaultMemoryMiB = 0 }, "DefaultMemoryMiB:"},
		{"cpu", func(o *Options) { o.MilliCPUPerMiB = 0 }, "MilliCPUPerMiB:"},
		{"min replicas", func(o *Options) { o.MinReplicas = -1 }, "MinReplicas:"},
		{"max apps", func(o *Options) { o.MaxApps = -1 }, "MaxApps:"},
		{"start", func(o *Options) { o.StartMinute = 0 }, "StartMinute:"},
		{"minutes", func(o *Options) { o.StartMinute, o.Minutes = 1000, 500 }, "Minutes:"},
		{"last minute", func(o *Options) { o.StartMinute, o.Minutes = 1440, 1 }, ""},
		{"request scale 0", func(o *Options) { o.RequestScale = 0 }, "RequestScale:"},
		{"request scale 11", func(o *Options) { o.RequestScale = 11 }, "RequestScale:"},
		{"max replicas", func(o *Options) { o.MaxReplicas = -1 }, "MaxReplicas:"},
		{"min above max", func(o *Options) { o.MinReplicas, o.MaxReplicas = 3, 2 }, "MinReplicas:"},
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
