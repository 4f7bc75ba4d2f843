// Package tune searches the Spillway plugins' args, the profile's plugin
// weights and the worker VMs for the cheapest configuration that meets the
// user's service objectives on a trace: Latin-hypercube samples, successive
// halving over growing prefixes of the trace, local refinement of the best,
// the Pareto front of cost against p99 start latency, and a held-out check
// on a part of the trace the search never saw. Every candidate is a real
// KubeSchedulerConfiguration, encoded and decoded as kube-scheduler does,
// run through the simulator engine (via simulator/whatif).
package tune

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// The only identity a tune file may have.
const (
	APIVersion = "spillway.dev/v1alpha1"
	Kind       = "Tune"
)

// Spec is a tune file: what to search, against which objectives, how.
//
//	apiVersion: spillway.dev/v1alpha1
//	kind: Tune
//	schedulerName: spillway           # the profile tuned; default spillway
//	objectives:
//	  p99StartLatency: 60s            # p99 start latency at most this
//	  maxPending: 10m                 # no pod waits longer to start
//	  maxServerlessUSD: 25            # serverless spend cap over the span
//	  maxServerlessShare: 0.6         # serverless / total cost cap, 0..1
//	  maxUnscheduled: 100             # pods never placed, at most
//	space:
//	  burstCostWeight: {min: 0, max: 20}   # 0: the plugin off
//	  steadinessWeight: {min: 0, max: 20}
//	  vmHeadroomPercent: {min: 40, max: 100}
//	  window: {min: 10m, max: 4h}
//	  basePercentile: {min: 10, max: 90}
//	  defaultHorizon: {min: 5m, max: 4h}
//	  workerInstanceTypes: [m5.xlarge, m5.2xlarge]
//	  workerCount: {min: 2, max: 4}
//	search:
//	  samples: 32        # Latin-hypercube samples
//	  firstRung: 0.25    # they run on this fraction of the training span
//	  keep: 0.34         # the best fraction of them run on all of it
//	  refineRounds: 3    # rounds of local refinement of the best
//	  holdout: 0.25      # the last fraction of the trace, never searched on
type Spec struct {
	APIVersion    string     `yaml:"apiVersion"`
	Kind          string     `yaml:"kind"`
	SchedulerName string     `yaml:"schedulerName,omitempty"`
	Objectives    Objectives `yaml:"objectives"`
	Space         Space      `yaml:"space"`
	Search        Search     `yaml:"search"`
}

// Objectives are the service objectives a configuration must meet. Unset
// ones do not constrain.
type Objectives struct {
	// P99StartLatency bounds the 99th percentile of start latency
	// (creation to running).
	P99StartLatency *Duration `yaml:"p99StartLatency,omitempty" json:"p99StartLatency,omitempty"`
	// MaxPending bounds the longest start latency of any pod that started.
	MaxPending *Duration `yaml:"maxPending,omitempty" json:"maxPending,omitempty"`
	// MaxServerlessUSD caps the serverless bill over the simulated span.
	MaxServerlessUSD *float64 `yaml:"maxServerlessUSD,omitempty" json:"maxServerlessUSD,omitempty"`
	// MaxServerlessShare caps serverless cost / total cost, 0..1.
	MaxServerlessShare *float64 `yaml:"maxServerlessShare,omitempty" json:"maxServerlessShare,omitempty"`
	// MaxUnscheduled caps the pods that are never placed.
	MaxUnscheduled *int64 `yaml:"maxUnscheduled,omitempty" json:"maxUnscheduled,omitempty"`
}

// Space is the search space. Each range is inclusive; an unset range keeps
// the value of the user's profile (or cluster).
type Space struct {
	BurstCostWeight     *IntRange      `yaml:"burstCostWeight,omitempty" json:"burstCostWeight,omitempty"`
	SteadinessWeight    *IntRange      `yaml:"steadinessWeight,omitempty" json:"steadinessWeight,omitempty"`
	VMHeadroomPercent   *IntRange      `yaml:"vmHeadroomPercent,omitempty" json:"vmHeadroomPercent,omitempty"`
	Window              *DurationRange `yaml:"window,omitempty" json:"window,omitempty"`
	BasePercentile      *IntRange      `yaml:"basePercentile,omitempty" json:"basePercentile,omitempty"`
	DefaultHorizon      *DurationRange `yaml:"defaultHorizon,omitempty" json:"defaultHorizon,omitempty"`
	WorkerInstanceTypes []string       `yaml:"workerInstanceTypes,omitempty" json:"workerInstanceTypes,omitempty"`
	WorkerCount         *IntRange      `yaml:"workerCount,omitempty" json:"workerCount,omitempty"`
}

// Search sets how the search spends its evaluations.
type Search struct {
	// Samples is the number of Latin-hypercube samples. Default 32.
	Samples int `yaml:"samples,omitempty" json:"samples"`
	// FirstRung is the fraction of the training span the samples are
	// first run on, (0, 1]; 1 runs them all on the whole of it. Default 0.25.
	FirstRung float64 `yaml:"firstRung,omitempty" json:"firstRung"`
	// Keep is the fraction of the samples, the best ones, that go on to
	// the whole training span, (0, 1]. Default 0.34.
	Keep float64 `yaml:"keep,omitempty" json:"keep"`
	// RefineRounds is the rounds of local refinement around the best. A
	// negative value turns it off. Default 3.
	RefineRounds int `yaml:"refineRounds,omitempty" json:"refineRounds"`
	// Holdout is the last fraction of the trace's span kept out of the
	// search and used to check the result, [0, 0.9]. A negative value
	// turns it off. Default 0.25.
	Holdout float64 `yaml:"holdout,omitempty" json:"holdout"`
}

// IntRange is an inclusive integer range.
type IntRange struct {
	Min int `yaml:"min" json:"min"`
	Max int `yaml:"max" json:"max"`
}

// DurationRange is an inclusive range of durations, searched on a log
// scale and rounded to whole seconds.
type DurationRange struct {
	Min Duration `yaml:"min" json:"min"`
	Max Duration `yaml:"max" json:"max"`
}

// Duration is a time.Duration written as "90s", "10m", "1h30m".
type Duration struct{ time.Duration }

// UnmarshalYAML reads a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return fmt.Errorf("line %d: want a duration such as 90s or 10m: %w", n.Line, err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	d.Duration = v
	return nil
}

// MarshalYAML writes the duration as a string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalText writes the duration as a string (JSON).
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads the duration from a string (JSON).
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	d.Duration = v
	return err
}

// DefaultSpec is the search a bare `spillway tune` runs: the plugin
// weights and the args the issue names, the minimal cluster's worker
// count and size, and no objectives.
func DefaultSpec() *Spec {
	return &Spec{
		APIVersion: APIVersion, Kind: Kind, SchedulerName: "spillway",
		Space: Space{
			BurstCostWeight:     &IntRange{0, 20},
			SteadinessWeight:    &IntRange{0, 20},
			VMHeadroomPercent:   &IntRange{40, 100},
			Window:              &DurationRange{Duration{10 * time.Minute}, Duration{4 * time.Hour}},
			BasePercentile:      &IntRange{10, 90},
			DefaultHorizon:      &DurationRange{Duration{5 * time.Minute}, Duration{4 * time.Hour}},
			WorkerInstanceTypes: []string{"m5.xlarge", "m5.2xlarge"},
			WorkerCount:         &IntRange{2, 4},
		},
	}
}

// ParseSpec decodes a tune file strictly (unknown fields are errors),
// fills in the search defaults and validates it; errors name the file and
// the field.
func ParseSpec(data []byte, source string) (*Spec, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var s Spec
	if err := dec.Decode(&s); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty tune file", source)
		}
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if s.APIVersion != APIVersion || s.Kind != Kind {
		return nil, fmt.Errorf("%s: want apiVersion %s and kind %s, got %q and %q", source, APIVersion, Kind, s.APIVersion, s.Kind)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return &s, nil
}

// ParseSpecFile reads and parses a tune file.
func ParseSpecFile(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseSpec(data, path)
}

// Defaulted fills in the search's defaults.
func (s *Spec) Defaulted() {
	if s.SchedulerName == "" {
		s.SchedulerName = "spillway"
	}
	d := &s.Search
	if d.Samples == 0 {
		d.Samples = 32
	}
	if d.FirstRung == 0 {
		d.FirstRung = 0.25
	}
	if d.Keep == 0 {
		d.Keep = 0.34
	}
	if d.RefineRounds == 0 {
		d.RefineRounds = 3
	}
	if d.Holdout == 0 {
		d.Holdout = 0.25
	}
}

// Validate defaults the search, then checks every field; all problems are
// reported, each with its field path.
func (s *Spec) Validate() error {
	s.Defaulted()
	var errs []string
	bad := func(field, format string, args ...any) {
		errs = append(errs, field+": "+fmt.Sprintf(format, args...))
	}
	o := s.Objectives
	if o.P99StartLatency != nil && o.P99StartLatency.Duration <= 0 {
		bad("objectives.p99StartLatency", "must be greater than 0, got %s", o.P99StartLatency)
	}
	if o.MaxPending != nil && o.MaxPending.Duration <= 0 {
		bad("objectives.maxPending", "must be greater than 0, got %s", o.MaxPending)
	}
	if v := o.MaxServerlessUSD; v != nil && (!finite(*v) || *v < 0) {
		bad("objectives.maxServerlessUSD", "must be a finite amount >= 0, got %v", *v)
	}
	if v := o.MaxServerlessShare; v != nil && (!finite(*v) || *v < 0 || *v > 1) {
		bad("objectives.maxServerlessShare", "must be between 0 and 1, got %v", *v)
	}
	if v := o.MaxUnscheduled; v != nil && *v < 0 {
		bad("objectives.maxUnscheduled", "must be >= 0, got %d", *v)
	}
	sp := s.Space
	intRange := func(field string, r *IntRange, lo, hi int) {
		if r == nil {
			return
		}
		if r.Min < lo || r.Max > hi || r.Min > r.Max {
			bad("space."+field, "want %d <= min <= max <= %d, got min %d, max %d", lo, hi, r.Min, r.Max)
		}
	}
	durRange := func(field string, r *DurationRange, lo, hi time.Duration) {
		if r == nil {
			return
		}
		if r.Min.Duration < lo || r.Max.Duration > hi || r.Min.Duration > r.Max.Duration {
			bad("space."+field, "want %s <= min <= max <= %s, got min %s, max %s", lo, hi, r.Min, r.Max)
		}
	}
	intRange("burstCostWeight", sp.BurstCostWeight, 0, 100)
	intRange("steadinessWeight", sp.SteadinessWeight, 0, 100)
	intRange("vmHeadroomPercent", sp.VMHeadroomPercent, 0, 100)
	intRange("basePercentile", sp.BasePercentile, 1, 100)
	intRange("workerCount", sp.WorkerCount, 1, 1000)
	durRange("window", sp.Window, time.Second, 7*24*time.Hour)
	durRange("defaultHorizon", sp.DefaultHorizon, time.Second, 7*24*time.Hour)
	seen := map[string]bool{}
	for i, t := range sp.WorkerInstanceTypes {
		if t == "" || seen[t] {
			bad(fmt.Sprintf("space.workerInstanceTypes[%d]", i), "want a distinct instance type name, got %q", t)
		}
		seen[t] = true
	}
	d := s.Search
	if d.Samples < 1 || d.Samples > 100000 {
		bad("search.samples", "want 1..100000, got %d", d.Samples)
	}
	if !finite(d.FirstRung) || d.FirstRung <= 0 || d.FirstRung > 1 {
		bad("search.firstRung", "want a fraction in (0, 1], got %v", d.FirstRung)
	}
	if !finite(d.Keep) || d.Keep <= 0 || d.Keep > 1 {
		bad("search.keep", "want a fraction in (0, 1], got %v", d.Keep)
	}
	if d.RefineRounds > 100 {
		bad("search.refineRounds", "want at most 100, got %d", d.RefineRounds)
	}
	if !finite(d.Holdout) || d.Holdout > 0.9 {
		bad("search.holdout", "want a fraction in [0, 0.9] (negative: none), got %v", d.Holdout)
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
