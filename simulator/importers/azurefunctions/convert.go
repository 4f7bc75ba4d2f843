package azurefunctions

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/spillway-dev/spillway/simulator/trace"
)

// Inputs are the three files of one set of the trace. The names prefix
// error messages ("NAME:LINE: column C: ...").
type Inputs struct {
	Invocations, Durations, Memory             io.Reader
	InvocationsName, DurationsName, MemoryName string
}

// Stats describe a conversion.
type Stats struct {
	// Apps is the number of apps (Deployments) converted, SkippedApps
	// those left out by Options.MaxApps.
	Apps, SkippedApps int
	// Functions is the number of invocation rows (functions) of the
	// converted apps; FunctionsWithoutDuration of them had no row in the
	// durations file.
	Functions, FunctionsWithoutDuration int
	// AppsWithoutMemory had no row in the memory file.
	AppsWithoutMemory int
	// AppsWritten is the number of apps that got at least one event.
	AppsWritten int
	// Events is the number of scale events written.
	Events int
	// PeakReplicas is the largest total of replicas over all apps in one
	// minute; PeakAppReplicas the largest of one app.
	PeakReplicas, PeakAppReplicas int64
}

// app is the bookkeeping of one app: its busy seconds per minute of the
// window.
type app struct {
	hash string
	busy []float64
}

// ConvertFiles opens the three files and calls Convert.
func ConvertFiles(invocationsPath, durationsPath, memoryPath string, opts Options, w *trace.Writer) (Stats, error) {
	var files [3]*os.File
	for i, p := range []string{invocationsPath, durationsPath, memoryPath} {
		f, err := os.Open(p)
		if err != nil {
			for _, g := range files[:i] {
				g.Close()
			}
			return Stats{}, err
		}
		files[i] = f
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	return Convert(Inputs{
		Invocations: files[0], Durations: files[1], Memory: files[2],
		InvocationsName: invocationsPath, DurationsName: durationsPath, MemoryName: memoryPath,
	}, opts, w)
}

// Convert reads the three files of in and writes the Deployments' scale
// events to w (it does not Flush w). See the package documentation for
// the model.
func Convert(in Inputs, opts Options, w *trace.Writer) (Stats, error) {
	var st Stats
	if err := opts.Validate(); err != nil {
		return st, fmt.Errorf("options: %w", err)
	}
	durations, err := readDurations(in.Durations, nameOr(in.DurationsName, "durations"))
	if err != nil {
		return st, err
	}
	memory, err := readMemory(in.Memory, nameOr(in.MemoryName, "memory"))
	if err != nil {
		return st, err
	}
	apps, err := readInvocations(in.Invocations, nameOr(in.InvocationsName, "invocations"), opts, durations, &st)
	if err != nil {
		return st, err
	}
	names, err := appNames(apps)
	if err != nil {
		return st, err
	}
	st.Apps = len(apps)

	last := make([]int64, len(apps)) // replicas written last; -1 before the first event
	for i := range last {
		last[i] = -1
	}
	for m := 0; m < opts.Minutes; m++ {
		var total int64
		for i, a := range apps {
			n := replicas(a.busy[m], opts)
			if n > trace.MaxReplicas {
				return st, fmt.Errorf("%s: app %s, minute %d: %d replicas is over the bound of a trace, %d; raise --target-concurrency, set --max-replicas or check the invocation counts",
					nameOr(in.InvocationsName, "invocations"), names[i], opts.StartMinute+m, n, trace.MaxReplicas)
			}
			total += n
			st.PeakAppReplicas = max(st.PeakAppReplicas, n)
			if n == last[i] || (last[i] < 0 && n == 0) {
				continue
			}
			ev := trace.Event{
				At:       float64(m) * 60,
				Op:       trace.OpScale,
				Workload: opts.Namespace + "/" + names[i],
				Kind:     trace.Deployment,
				Replicas: ptrInt32(n),
			}
			if last[i] < 0 {
				mem, ok := memory[a.hash]
				if !ok {
					mem = opts.DefaultMemoryMiB
					st.AppsWithoutMemory++
				}
				ev.Template = template(names[i], mem, opts)
				st.AppsWritten++
			}
			if err := w.Write(ev); err != nil {
				return st, err
			}
			st.Events++
			last[i] = n
		}
		st.PeakReplicas = max(st.PeakReplicas, total)
	}
	for i, a := range apps {
		if last[i] < 0 {
			if _, ok := memory[a.hash]; !ok {
				st.AppsWithoutMemory++
			}
		}
	}
	return st, nil
}

// readInvocations aggregates the invocations file into per-app busy
// seconds per minute of the window, apps in order of first appearance.
func readInvocations(r io.Reader, name string, opts Options, durations map[string]float64, st *Stats) ([]*app, error) {
	t, err := newTable(r, name)
	if err != nil {
		return nil, err
	}
	appCol, err := t.col(true, "HashApp")
	if err != nil {
		return nil, err
	}
	fnCol, err := t.col(true, "HashFunction")
	if err != nil {
		return nil, err
	}
	minuteCols := make([]int, opts.Minutes)
	for m := range minuteCols {
		n := strconv.Itoa(opts.StartMinute + m)
		if minuteCols[m], err = t.col(true, n, "minute_"+n); err != nil {
			return nil, err
		}
	}
	var apps []*app
	byHash := map[string]*app{}
	skipped := map[string]bool{}
	for {
		if err := t.next(); err == io.EOF {
			return apps, nil
		} else if err != nil {
			return nil, err
		}
		h, err := t.hash(appCol)
		if err != nil {
			return nil, err
		}
		a := byHash[h]
		if a == nil {
			if skipped[h] || (opts.MaxApps > 0 && len(apps) >= opts.MaxApps) {
				if !skipped[h] {
					skipped[h] = true
					st.SkippedApps++
				}
				continue
			}
			a = &app{hash: h, busy: make([]float64, opts.Minutes)}
			byHash[h] = a
			apps = append(apps, a)
		}
		st.Functions++
		d, ok := durations[h+"/"+t.str(fnCol)]
		if !ok {
			d = opts.DefaultDurationSeconds
			st.FunctionsWithoutDuration++
		}
		for m, c := range minuteCols {
			n, err := t.bounded(c, MaxInvocationsPerMinute)
			if err != nil {
				return nil, err
			}
			a.busy[m] += n * d
		}
	}
}

// maxReplicas bounds one app's replica count (it must fit an int32).
const maxReplicas = math.MaxInt32

// replicas is Little's law for one app in one minute of busy seconds.
func replicas(busy float64, opts Options) int64 {
	x := busy / 60 / opts.TargetConcurrency
	// Forgive float error such as 0.1+0.2 > 0.3 before rounding up.
	n := math.Ceil(x - 1e-9*math.Max(1, x))
	if !(n < maxReplicas) { // also catches +Inf
		n = maxReplicas
	}
	n = max(n, float64(opts.MinReplicas), 0)
	if opts.MaxReplicas > 0 {
		n = min(n, float64(opts.MaxReplicas))
	}
	return int64(n)
}

// template is the pod template of app name with mem MiB of memory.
func template(name string, mem float64, opts Options) *v1.Pod {
	memMiB := roundUp(mem, 64, 128)
	milli := roundUp(float64(memMiB)*opts.MilliCPUPerMiB, 50, 100)
	memBytes := memMiB << 20
	if s := opts.RequestScale; s != 1 && s > 0 {
		milli = max(int64(math.Ceil(float64(milli)*s-1e-9)), 1)
		memBytes = max(int64(math.Ceil(float64(memMiB)*s-1e-9)), 1) << 20
	}
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
		Spec: v1.PodSpec{Tolerations: append([]v1.Toleration(nil), opts.Tolerations...), Containers: []v1.Container{{
			Name:  "fn",
			Image: opts.Image,
			Resources: v1.ResourceRequirements{Requests: v1.ResourceList{
				v1.ResourceCPU:    *resource.NewMilliQuantity(milli, resource.DecimalSI),
				v1.ResourceMemory: *resource.NewQuantity(memBytes, resource.BinarySI),
			}},
		}}},
	}
}

// roundUp rounds v up to a multiple of step, at least least.
func roundUp(v float64, step, least int64) int64 {
	if !(v < float64(maxMemoryMiB)*1000) { // bound, and NaN
		v = float64(maxMemoryMiB) * 1000
	}
	n := int64(math.Ceil(v/float64(step))) * step
	return max(n, least)
}

func ptrInt32(n int64) *int32 { v := int32(n); return &v }

func nameOr(name, def string) string {
	if name == "" {
		return def
	}
	return name
}
