// Package alibaba converts the batch_task table of the Alibaba cluster
// traces (github.com/alibaba/clusterdata, cluster-trace-v2017 and
// cluster-trace-v2018) into Spillway's native trace (package
// simulator/trace): one Job per finished task.
//
// # Input
//
// batch_task.csv has no header. Its columns, per the schemas published
// with the traces (cluster-trace-v2017/schema.csv and
// cluster-trace-v2018/schema.md), are:
//
//	2017: start_time, end_time, job_id, task_id, instance_num, status, plan_cpu, plan_mem
//	2018: task_name, instance_num, job_name, task_type, status, start_time, end_time, plan_cpu, plan_mem
//
// Times are in seconds. plan_cpu is the CPU requested per instance: a
// number of cores in 2017, hundredths of a core (100 is 1 core) in 2018.
// plan_mem is the memory requested per instance, normalised to the
// machine size: 0..1 in 2017, 0..100 in 2018.
//
// # Model
//
// A row with status Terminated, end_time > start_time and instance_num
// > 0 becomes a scale event of a Job "NAMESPACE/NAME":
//
//	{"at": start_time - T0, "op": "scale", "workload": "batch/NAME", "kind": "Job",
//	 "replicas": instance_num, "runFor": end_time - start_time, "template": ...}
//
// where T0 is the smallest start_time of the converted rows, so that the
// trace starts at 0. Other rows are skipped and counted in Stats. NAME is
// JOB-TASK, lower-cased, with runs of characters other than letters and
// digits replaced by "-"; when that changes a name (all 2018 names, such
// as job j_1 task M1, which becomes "j-1-m1-" + 8 hex digits) or makes it
// longer than 63 characters, it is shortened and an FNV-1a hash of the
// original job and task is appended, so distinct tasks get distinct
// names. The (job, task) pairs are assumed unique, as the schemas say.
//
// The template has one container "task" running Image, requesting
// plan_cpu in millicores (rounded up) and plan_mem × MachineMemoryGiB in
// MiB (rounded up); a zero or empty plan value requests nothing of that
// resource.
// The traces publish normalised memory only; MachineMemoryGiB defaults
// to 96 GiB for 2018 and 64 GiB for 2017, our assumption of the machines'
// size (set it to match the cluster you simulate).
//
// # Memory
//
// The file is not sorted by start_time in general. With Options.Sorted
// false (the default), Convert keeps every converted row in a compact
// record of 40 bytes plus its Job name (about 20 to 60 bytes), sorts them
// and then writes the events: memory grows with the number of tasks. With
// Sorted true it streams in constant memory and fails, naming the line,
// at the first converted row whose start_time goes back in time (sort
// the file with e.g. `sort -t, -k6,6n` for 2018 or `-k1,1n` for 2017).
package alibaba

import (
	v1 "k8s.io/api/core/v1"

	"github.com/spillway-dev/spillway/simulator/importers"

	"fmt"
	"math"

	"k8s.io/apimachinery/pkg/util/validation"
)

// The trace versions Options.Format accepts.
const (
	Format2017 = "2017"
	Format2018 = "2018"
)

// Options configure the conversion. Start from DefaultOptions and set
// Format.
type Options struct {
	// Tolerations are given to every pod. Default: tolerate every virtual
	// node of the backend catalog (importers.VirtualNodeTolerations), so
	// the profile decides what bursts; nil keeps pods off virtual nodes.
	Tolerations []v1.Toleration
	// Format is the trace version, "2017" or "2018". Required.
	Format string
	// Namespace of the Jobs (a DNS-1123 label). Default "batch".
	Namespace string
	// Image of the template's single container "task". Default
	// "registry.k8s.io/pause:3.10".
	Image string
	// MachineMemoryGiB is the memory of a machine, which plan_mem is a
	// fraction of (>= 0). 0, the default, means 96 for Format 2018 and 64
	// for Format 2017.
	MachineMemoryGiB float64
	// Sorted promises the file is sorted by start_time: Convert then
	// streams instead of sorting in memory. Default false.
	Sorted bool
	// RequestScale multiplies every task's CPU and memory requests
	// (0 < s <= 10; rounded up to a millicore and a MiB), to fit a large
	// trace to a small cluster. Default 1.
	RequestScale float64
	// MaxReplicas caps each Job's pods (a task's instances; >= 0, 0: no
	// cap). Default 0.
	MaxReplicas int32
}

// DefaultOptions returns the options documented on Options; Format is
// left empty and must be set.
func DefaultOptions() Options {
	return Options{
		Tolerations: importers.VirtualNodeTolerations(), Namespace: "batch", Image: "registry.k8s.io/pause:3.10", RequestScale: 1}
}

// Validate reports the first bad option, naming its field.
func (o Options) Validate() error {
	if o.Format != Format2017 && o.Format != Format2018 {
		return fmt.Errorf("option Format: want %q or %q, got %q", Format2017, Format2018, o.Format)
	}
	if errs := validation.IsDNS1123Label(o.Namespace); len(errs) > 0 {
		return fmt.Errorf("option Namespace: %q: %s", o.Namespace, errs[0])
	}
	if o.Image == "" {
		return fmt.Errorf("option Image: required")
	}
	if s := o.RequestScale; math.IsNaN(s) || s <= 0 || s > 10 {
		return fmt.Errorf("option RequestScale: want 0 < s <= 10, got %v", s)
	}
	if o.MaxReplicas < 0 {
		return fmt.Errorf("option MaxReplicas: want >= 0 (0: no cap), got %d", o.MaxReplicas)
	}
	if m := o.MachineMemoryGiB; math.IsNaN(m) || math.IsInf(m, 0) || m < 0 || m > 1<<20 {
		return fmt.Errorf("option MachineMemoryGiB: want a number 0..%d (0 for the format's default), got %v", 1<<20, m)
	}
	return nil
}

// machineMemoryGiB is MachineMemoryGiB or the format's default.
func (o Options) machineMemoryGiB() float64 {
	switch {
	case o.MachineMemoryGiB > 0:
		return o.MachineMemoryGiB
	case o.Format == Format2017:
		return 64
	default:
		return 96
	}
}

// layout is where the columns of one format are.
type layout struct {
	fields                                             int
	start, end, job, task, instances, status, cpu, mem int
	// cpuMilli is millicores per unit of plan_cpu; memScale the value of
	// plan_mem for a whole machine.
	cpuMilli, memScale float64
}

func (o Options) layout() layout {
	if o.Format == Format2017 {
		return layout{fields: 8, start: 0, end: 1, job: 2, task: 3, instances: 4, status: 5, cpu: 6, mem: 7, cpuMilli: 1000, memScale: 1}
	}
	return layout{fields: 9, task: 0, instances: 1, job: 2, status: 4, start: 5, end: 6, cpu: 7, mem: 8, cpuMilli: 10, memScale: 100}
}

// columnNames names the columns of a format in errors.
var columnNames = map[string][]string{
	Format2017: {"start_time", "end_time", "job_id", "task_id", "instance_num", "status", "plan_cpu", "plan_mem"},
	Format2018: {"task_name", "instance_num", "job_name", "task_type", "status", "start_time", "end_time", "plan_cpu", "plan_mem"},
}
