// Package azurefunctions converts the Azure Functions trace of 2019
// (Azure Public Dataset "AzureFunctionsDataset2019", Shahrad et al.,
// USENIX ATC 2020) into Spillway's native trace (package
// simulator/trace).
//
// # Input
//
// Three CSV files with a header row; columns are found by header name, so
// the different column orders of the published sets (and of the samples
// under simulator/traces/azure-functions-2019) are all accepted:
//
//   - invocations: HashApp, HashFunction and one column per minute of the
//     day, named "1".."1440" or "minute_1".."minute_1440", holding the
//     function's invocations in that minute (other columns such as
//     HashOwner and Trigger are ignored);
//   - durations: HashApp, HashFunction, Average (mean execution time of
//     the function in milliseconds);
//   - memory: HashApp and AverageAllocatedMb_pct99 or, when that column is
//     absent (or a cell is empty), AverageAllocatedMb (MB, read as MiB).
//     When an app has several rows the largest value is used.
//
// # Model
//
// Every app (HashApp) becomes one Deployment "NAMESPACE/app-HASH8", where
// HASH8 is the first 8 characters of the lower-cased HashApp (lengthened,
// for the apps concerned, until the names are unique). In each minute m of
// the window the Deployment runs, by Little's law,
//
//	replicas(m) = max(MinReplicas, ceil(Σ_f invocations_f(m) × avgDuration_f / 60 / TargetConcurrency))
//
// where the sum runs over the app's functions and avgDuration_f is the
// function's Average in seconds (DefaultDurationSeconds when the
// durations file has no row for it). A scale event is written at
// (m - StartMinute) × 60 seconds when the count differs from the one
// written last; an app's first event is written in the first minute its
// count is above zero and carries the pod template, later events omit it.
//
// The template has one container "fn" running Image, requesting the
// app's memory (DefaultMemoryMiB without a memory row) rounded up to a
// multiple of 64Mi, at least 128Mi, and MilliCPUPerMiB millicores per MiB
// of that, rounded up to a multiple of 50m, at least 100m; both then
// multiplied by RequestScale (rounded up to 1m and 1Mi). Its pods are
// labelled app=NAME. The spillway.dev/steadiness annotation is not set:
// the scheduler plugin is expected to learn it.
//
// # Memory
//
// The durations and memory files (one row per function or app) are loaded
// into maps. The invocations file is read one row at a time, but each row
// holds a whole day of one function while the output must be in time
// order across apps, so Convert keeps one []float64 of busy seconds per
// minute of the window for each app: memory is bounded by apps × minutes
// (11,520 bytes per app for a full day) and does not depend on the
// number of events written.
package azurefunctions

import (
	v1 "k8s.io/api/core/v1"

	"github.com/spillway-dev/spillway/simulator/importers"

	"fmt"
	"math"

	"k8s.io/apimachinery/pkg/util/validation"
)

// MinutesPerDay is the number of minute columns of a day of the trace.
const MinutesPerDay = 1440

// Options configure the conversion. Start from DefaultOptions.
type Options struct {
	// Tolerations are given to every pod. Default: tolerate every virtual
	// node of the backend catalog (importers.VirtualNodeTolerations), so
	// the profile decides what bursts; nil keeps pods off virtual nodes.
	Tolerations []v1.Toleration
	// Namespace of the Deployments (a DNS-1123 label). Default "functions".
	Namespace string
	// Image of the template's single container "fn". Default
	// "mcr.microsoft.com/azure-functions/base:4".
	Image string
	// TargetConcurrency is how many invocations one replica serves at
	// once (> 0). Default 1.
	TargetConcurrency float64
	// MinReplicas is the least number of replicas of an app once it has
	// appeared (>= 0). Default 0: an idle app scales to zero. Above zero,
	// every app is written in the first minute of the window.
	MinReplicas int32
	// DefaultDurationSeconds is the execution time assumed for a function
	// without a row in the durations file (> 0). Default 1.
	DefaultDurationSeconds float64
	// DefaultMemoryMiB is the memory assumed for an app without a row in
	// the memory file (> 0). Default 256.
	DefaultMemoryMiB float64
	// MilliCPUPerMiB is the CPU request, in millicores, per MiB of the
	// memory request (> 0). Default 0.5, about 1 vCPU per 2 GiB.
	MilliCPUPerMiB float64
	// MaxApps keeps only the first MaxApps apps in the order they first
	// appear in the invocations file (>= 0; 0 keeps all). Default 0.
	MaxApps int
	// StartMinute is the first minute (1..1440) converted; it is written
	// at time 0. Default 1.
	StartMinute int
	// Minutes is how many minutes from StartMinute are converted
	// (1..1441-StartMinute). Default 1440.
	Minutes int
	// RequestScale multiplies the template's CPU and memory requests
	// after their rounding (0 < s <= 10; CPU rounded up to a millicore,
	// memory to a MiB, at least 1m and 1Mi), to fit a large trace to a
	// small cluster. Default 1.
	RequestScale float64
	// MaxReplicas caps each app's replicas in any minute (>= 0; 0: no
	// cap). Default 0.
	MaxReplicas int32
}

// DefaultOptions returns the options documented on Options.
func DefaultOptions() Options {
	return Options{
		Tolerations:            importers.VirtualNodeTolerations(),
		Namespace:              "functions",
		Image:                  "mcr.microsoft.com/azure-functions/base:4",
		TargetConcurrency:      1,
		DefaultDurationSeconds: 1,
		DefaultMemoryMiB:       256,
		MilliCPUPerMiB:         0.5,
		StartMinute:            1,
		Minutes:                MinutesPerDay,
		RequestScale:           1,
	}
}

// Validate reports the first bad option, naming its field.
func (o Options) Validate() error {
	if errs := validation.IsDNS1123Label(o.Namespace); len(errs) > 0 {
		return fmt.Errorf("option Namespace: %q: %s", o.Namespace, errs[0])
	}
	if o.Image == "" {
		return fmt.Errorf("option Image: required")
	}
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"TargetConcurrency", o.TargetConcurrency},
		{"DefaultDurationSeconds", o.DefaultDurationSeconds},
		{"DefaultMemoryMiB", o.DefaultMemoryMiB},
		{"MilliCPUPerMiB", o.MilliCPUPerMiB},
	} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v <= 0 {
			return fmt.Errorf("option %s: want a finite number > 0, got %v", f.name, f.v)
		}
	}
	if o.DefaultMemoryMiB > maxMemoryMiB {
		return fmt.Errorf("option DefaultMemoryMiB: want at most %v, got %v", float64(maxMemoryMiB), o.DefaultMemoryMiB)
	}
	if s := o.RequestScale; math.IsNaN(s) || s <= 0 || s > 10 {
		return fmt.Errorf("option RequestScale: want 0 < s <= 10, got %v", s)
	}
	if o.MaxReplicas < 0 {
		return fmt.Errorf("option MaxReplicas: want >= 0 (0: no cap), got %d", o.MaxReplicas)
	}
	if o.MaxReplicas > 0 && o.MinReplicas > o.MaxReplicas {
		return fmt.Errorf("option MinReplicas: %d is above MaxReplicas %d", o.MinReplicas, o.MaxReplicas)
	}
	if o.MinReplicas < 0 {
		return fmt.Errorf("option MinReplicas: want >= 0, got %d", o.MinReplicas)
	}
	if o.MaxApps < 0 {
		return fmt.Errorf("option MaxApps: want >= 0 (0 keeps all), got %d", o.MaxApps)
	}
	if o.StartMinute < 1 || o.StartMinute > MinutesPerDay {
		return fmt.Errorf("option StartMinute: want 1..%d, got %d", MinutesPerDay, o.StartMinute)
	}
	if max := MinutesPerDay + 1 - o.StartMinute; o.Minutes < 1 || o.Minutes > max {
		return fmt.Errorf("option Minutes: want 1..%d with StartMinute %d, got %d", max, o.StartMinute, o.Minutes)
	}
	return nil
}
