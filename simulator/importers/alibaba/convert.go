package alibaba

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/spillway-dev/spillway/simulator/trace"
)

// Stats describe a conversion.
type Stats struct {
	// Rows is the number of rows read, Jobs the number converted (one
	// scale event each).
	Rows, Jobs int
	// SkippedStatus rows had a status other than Terminated;
	// SkippedNoInstances had instance_num 0; SkippedBadTimes had
	// end_time <= start_time.
	SkippedStatus, SkippedNoInstances, SkippedBadTimes int
	// MissingPlan counts the empty plan_cpu and plan_mem cells of
	// converted rows (their templates request nothing of that resource).
	MissingPlan int
	// Duration is the time of the last event, in seconds.
	Duration float64
}

// task is one converted row, kept compact (40 bytes) for sorting.
type task struct {
	start, end float64
	cpuMilli   uint32
	memMiB     uint32
	instances  int32
	nameOff    uint32 // offset of the Job name in the name arena
	nameLen    uint8
}

// maxArena bounds the arena so that offsets fit a uint32.
const maxArena = math.MaxUint32

// Convert reads a batch_task file from r (name prefixes errors:
// "NAME:LINE: column C: ...") and writes one Job scale event per
// converted task to w (it does not Flush w). See the package
// documentation for the model.
func Convert(r io.Reader, name string, opts Options, w *trace.Writer) (Stats, error) {
	var st Stats
	if err := opts.Validate(); err != nil {
		return st, fmt.Errorf("options: %w", err)
	}
	if name == "" {
		name = "batch_task"
	}
	c := converter{name: name, opts: opts, lay: opts.layout(), cols: columnNames[opts.Format], w: w, st: &st}
	c.csv = csv.NewReader(r)
	c.csv.FieldsPerRecord = c.lay.fields
	c.csv.ReuseRecord = true
	var (
		tasks  []task
		arena  []byte
		first  = true
		offset float64
		prev   float64
	)
	for {
		rec, err := c.csv.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return st, fmt.Errorf("%s:%d: %v", name, pe.Line, pe.Err)
			}
			return st, fmt.Errorf("%s: %w", name, err)
		}
		st.Rows++
		t, jobName, ok, err := c.parse(rec)
		if err != nil || !ok {
			if err != nil {
				return st, err
			}
			continue
		}
		if !opts.Sorted {
			if uint64(len(arena))+uint64(len(jobName)) > maxArena {
				return st, fmt.Errorf("%s:%d: too many tasks to sort in memory; sort the file by start_time and set Options.Sorted", name, c.line(0))
			}
			t.nameOff, t.nameLen = uint32(len(arena)), uint8(len(jobName))
			arena = append(arena, jobName...)
			tasks = append(tasks, t)
			continue
		}
		if first {
			offset, first = t.start, false
		} else if t.start < prev {
			return st, c.errorf(c.lay.start, "%v is before the previous task's %v; the file is not sorted by start_time (unset Options.Sorted)", t.start, prev)
		}
		prev = t.start
		if err := c.write(t, jobName, offset); err != nil {
			return st, err
		}
	}
	if opts.Sorted {
		return st, nil
	}
	sort.SliceStable(tasks, func(i, j int) bool { return tasks[i].start < tasks[j].start })
	if len(tasks) > 0 {
		offset = tasks[0].start
	}
	for _, t := range tasks {
		if err := c.write(t, string(arena[t.nameOff:t.nameOff+uint32(t.nameLen)]), offset); err != nil {
			return st, err
		}
	}
	return st, nil
}

type converter struct {
	name string
	opts Options
	lay  layout
	cols []string
	csv  *csv.Reader
	rec  []string
	w    *trace.Writer
	st   *Stats
}

// parse converts one record; ok is false for a skipped row.
func (c *converter) parse(rec []string) (t task, jobName string, ok bool, err error) {
	c.rec = rec
	l := c.lay
	if !strings.EqualFold(strings.TrimSpace(rec[l.status]), "Terminated") {
		c.st.SkippedStatus++
		return t, "", false, nil
	}
	inst, err := c.number(l.instances, trace.MaxReplicas)
	if err != nil {
		return t, "", false, err
	}
	if inst != math.Trunc(inst) {
		return t, "", false, c.errorf(l.instances, "want a whole number, got %q", c.str(l.instances))
	}
	if inst == 0 {
		c.st.SkippedNoInstances++
		return t, "", false, nil
	}
	// Times are seconds from the trace's start (2018: 8 days, 2017: 12
	// hours): bounded by a trace's own bound, so are the shifted times
	// and the durations written.
	if t.start, err = c.number(l.start, trace.MaxSeconds); err != nil {
		return t, "", false, err
	}
	if t.end, err = c.number(l.end, trace.MaxSeconds); err != nil {
		return t, "", false, err
	}
	if t.end <= t.start {
		c.st.SkippedBadTimes++
		return t, "", false, nil
	}
	cpu, err := c.plan(l.cpu, math.MaxUint32/l.cpuMilli)
	if err != nil {
		return t, "", false, err
	}
	mem, err := c.plan(l.mem, l.memScale)
	if err != nil {
		return t, "", false, err
	}
	job, tsk := c.str(l.job), c.str(l.task)
	if job == "" {
		return t, "", false, c.errorf(l.job, "empty")
	}
	if tsk == "" {
		return t, "", false, c.errorf(l.task, "empty")
	}
	t.instances = int32(inst)
	scale := c.opts.RequestScale
	if !(scale > 0) {
		scale = 1
	}
	t.cpuMilli = uint32(math.Ceil(cpu*l.cpuMilli*scale - 1e-9))
	t.memMiB = uint32(math.Ceil(mem/l.memScale*c.opts.machineMemoryGiB()*1024*scale - 1e-9))
	if m := c.opts.MaxReplicas; m > 0 {
		t.instances = min(t.instances, m)
	}
	return t, JobName(job, tsk), true, nil
}

// write writes the scale event of t.
func (c *converter) write(t task, jobName string, offset float64) error {
	replicas, runFor := t.instances, t.end-t.start
	ev := trace.Event{
		At:       t.start - offset,
		Op:       trace.OpScale,
		Workload: c.opts.Namespace + "/" + jobName,
		Kind:     trace.Job,
		Replicas: &replicas,
		RunFor:   &runFor,
		Template: c.template(t, jobName),
	}
	if err := c.w.Write(ev); err != nil {
		return err
	}
	c.st.Jobs++
	c.st.Duration = ev.At
	return nil
}

func (c *converter) template(t task, jobName string) *v1.Pod {
	req := v1.ResourceList{}
	if t.cpuMilli > 0 {
		req[v1.ResourceCPU] = *resource.NewMilliQuantity(int64(t.cpuMilli), resource.DecimalSI)
	}
	if t.memMiB > 0 {
		req[v1.ResourceMemory] = *resource.NewQuantity(int64(t.memMiB)<<20, resource.BinarySI)
	}
	if len(req) == 0 {
		req = nil
	}
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": jobName}},
		Spec: v1.PodSpec{
			RestartPolicy: v1.RestartPolicyNever,
			Tolerations:   append([]v1.Toleration(nil), c.opts.Tolerations...),
			Containers: []v1.Container{{
				Name:      "task",
				Image:     c.opts.Image,
				Resources: v1.ResourceRequirements{Requests: req},
			}},
		},
	}
}

func (c *converter) str(i int) string { return strings.TrimSpace(c.rec[i]) }

func (c *converter) line(i int) int {
	l, _ := c.csv.FieldPos(i)
	return l
}

// number parses field i as a finite number in 0..max.
func (c *converter) number(i int, max float64) (float64, error) {
	s := c.str(i)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > max {
		return 0, c.errorf(i, "want a number 0..%v, got %q", max, s)
	}
	return v, nil
}

// plan parses plan_cpu or plan_mem: empty counts in Stats.MissingPlan
// and requests nothing.
func (c *converter) plan(i int, max float64) (float64, error) {
	if c.str(i) == "" {
		c.st.MissingPlan++
		return 0, nil
	}
	return c.number(i, max)
}

func (c *converter) errorf(i int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: column %s: %s", c.name, c.line(i), c.cols[i], fmt.Sprintf(format, args...))
}
