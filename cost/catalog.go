// Package cost holds Spillway's prices and billing rules: what a pod costs on
// a serverless backend (with the backend's shape rounding, minimum and
// granularity) and what a dedicated VM costs per hour under a pricing option.
//
// It is pure arithmetic over a versioned, dated catalog (see README.md and
// the embedded catalog.yaml) and imports nothing from k8s.io/kubernetes. A
// Catalog is read-only after Load, so it is safe for concurrent use without
// locks; Round, Bill, HourlyUSD and VMHourlyUSD do not allocate unless they
// return an error.
package cost

import (
	_ "embed"
	"fmt"
	"os"

	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// The only catalog identity this package reads.
const (
	APIVersion = "spillway.dev/v1alpha1"
	Kind       = "PriceCatalog"
)

// PricingOption selects which hourly price of a dedicated VM applies.
type PricingOption string

// The pricing options of a dedicated VM.
const (
	OnDemand PricingOption = "OnDemand"
	Reserved PricingOption = "Reserved" // reserved instance / savings plan
	Spot     PricingOption = "Spot"
)

// ParsePricingOption checks a pricing option's spelling (case-sensitive).
func ParsePricingOption(s string) (PricingOption, error) {
	switch o := PricingOption(s); o {
	case OnDemand, Reserved, Spot:
		return o, nil
	}
	return "", fmt.Errorf("unknown pricing option %q (want %s, %s or %s)", s, OnDemand, Reserved, Spot)
}

// Catalog is a versioned, dated price catalog. Build one with Load, LoadFile
// or Default; it is read-only afterwards and safe for concurrent use.
//
// The serverless prices are in the field ServerlessPrices (YAML key
// "serverless"): Go does not allow a field and a method of the same name,
// and the method Serverless looks one up by name.
type Catalog struct {
	APIVersion       string            `json:"apiVersion"` // must be "spillway.dev/v1alpha1"
	Kind             string            `json:"kind"`       // must be "PriceCatalog"
	Updated          string            `json:"updated"`    // YYYY-MM-DD, the day the prices were checked
	Currency         string            `json:"currency"`   // "USD", the only one supported
	ServerlessPrices []ServerlessPrice `json:"serverless"`
	Dedicated        DedicatedPrices   `json:"dedicated"`

	// Indexes built by Load; nil in a hand-built Catalog, which the
	// lookups then search linearly.
	serverless map[string]*ServerlessPrice
	instances  map[string]*InstanceType
}

// ServerlessPrice is how a serverless backend bills a pod: the pod's
// requested size is rounded to a billable Shape by the ShapeRule, and the
// shape is billed per vCPU-hour and GiB-hour for the pod's run time,
// rounded up to GranularitySeconds and at least MinimumBilledSeconds.
type ServerlessPrice struct {
	Name    string   `json:"name"` // e.g. "aci", "fargate", "cloudrun"
	Sources []string `json:"sources"`
	Notes   string   `json:"notes,omitempty"`
	// VCPUHourUSD is the price of one vCPU for one hour.
	VCPUHourUSD float64 `json:"vcpuHourUSD"`
	// GiBHourUSD is the price of one GiB (2^30 bytes) of memory for one hour.
	GiBHourUSD float64 `json:"gibHourUSD"`
	// MinimumBilledSeconds is the least a pod is billed for (Fargate 60).
	MinimumBilledSeconds int64 `json:"minimumBilledSeconds"`
	// GranularitySeconds: the billed duration is rounded up to a multiple
	// of it; 1 = per second.
	GranularitySeconds int64 `json:"granularitySeconds"`
	// SpotDiscount is the fraction off, 0..1, when spot capacity is used
	// (ACI spot containers: "up to" 0.7).
	SpotDiscount float64   `json:"spotDiscount"`
	Shape        ShapeRule `json:"shape"`
}

// ShapeRule says how a pod's requested size becomes the billed size.
type ShapeRule struct {
	// MemoryOverheadMiB is added to the memory request before rounding
	// (Fargate: 256).
	MemoryOverheadMiB int64 `json:"memoryOverheadMiB,omitempty"`
	// DefaultCPUMilli and DefaultMemoryMiB replace a request of zero
	// (a pod that requests no CPU, or no memory) before rounding; 0 keeps
	// zero. ACI gives a container without requests 1 vCPU and 1.5 GB.
	DefaultCPUMilli  int64 `json:"defaultCPUMilli,omitempty"`
	DefaultMemoryMiB int64 `json:"defaultMemoryMiB,omitempty"`
	// Combinations (Fargate): the billed size is the first combination, in
	// ascending vCPU order, whose vCPU >= the request and that has a memory
	// size >= the memory request (+ overhead) among MinGiB, MinGiB+StepGiB,
	// ..., MaxGiB; the memory billed is the smallest such size >=
	// max(request, MinGiB). Combinations of equal vCPU list their memory
	// ranges in ascending, non-overlapping order.
	Combinations []CPUMemoryRange `json:"combinations,omitempty"`
	// Step rounding (ACI-style), used when Combinations is empty: CPU is
	// rounded up to a multiple of CPUStepMilli (at least MinCPUMilli),
	// memory up to a multiple of MemoryStepMiB (at least MinMemoryMiB).
	CPUStepMilli  int64 `json:"cpuStepMilli,omitempty"`
	MemoryStepMiB int64 `json:"memoryStepMiB,omitempty"`
	MinCPUMilli   int64 `json:"minCPUMilli,omitempty"`
	MinMemoryMiB  int64 `json:"minMemoryMiB,omitempty"`
}

// CPUMemoryRange is one vCPU size and the memory sizes allowed with it:
// MinGiB, MinGiB+StepGiB, ..., MaxGiB. Values must be whole millicores and
// whole MiB (multiples of 1/1024 GiB).
type CPUMemoryRange struct {
	VCPU    float64 `json:"vcpu"`
	MinGiB  float64 `json:"minGiB"`
	MaxGiB  float64 `json:"maxGiB"`
	StepGiB float64 `json:"stepGiB"`
}

// DedicatedPrices are the hourly prices of VMs.
type DedicatedPrices struct {
	InstanceTypes []InstanceType `json:"instanceTypes"`
	// Fallback prices nodes whose instance type (label
	// node.kubernetes.io/instance-type) is not listed, per vCPU and GiB of
	// the node's allocatable; OnDemand is required.
	Fallback map[PricingOption]ResourceRate `json:"fallback"`
}

// ResourceRate is an hourly price per vCPU and per GiB.
type ResourceRate struct {
	VCPUHourUSD float64 `json:"vcpuHourUSD"`
	GiBHourUSD  float64 `json:"gibHourUSD"`
}

// InstanceType is a VM type and its hourly prices.
type InstanceType struct {
	Name      string                    `json:"name"`     // e.g. "m5.xlarge", "Standard_D4s_v5"
	Provider  string                    `json:"provider"` // "aws", "azure"
	VCPU      float64                   `json:"vcpu"`
	MemoryGiB float64                   `json:"memoryGiB"`
	HourlyUSD map[PricingOption]float64 `json:"hourlyUSD"` // OnDemand required; Reserved, Spot optional
	Sources   []string                  `json:"sources"`
}

//go:embed catalog.yaml
var defaultYAML []byte

// defaultCatalog is parsed once, at package initialisation; a broken
// embedded file panics here (TestDefault guards against shipping one).
var defaultCatalog = func() *Catalog {
	c, err := Load(defaultYAML, "cost/catalog.yaml")
	if err != nil {
		panic("cost: the embedded price catalog is invalid: " + err.Error())
	}
	return c
}()

// Default returns the embedded catalog (catalog.yaml). It is shared: do
// not modify it.
func Default() *Catalog { return defaultCatalog }

// DefaultYAML returns a copy of the embedded catalog's text, a starting
// point for a catalog of one's own.
func DefaultYAML() []byte { return append([]byte(nil), defaultYAML...) }

// Load parses a catalog strictly and validates it. Unknown fields (matched
// case-sensitively, so "vcpuHourUsd" is an error), duplicate keys and
// values of the wrong type are errors, as is everything Validate reports.
// Each problem is a *FieldError carrying source, the field path and, where
// it can be found, the line; several are joined with errors.Join, e.g.
//
//	prices.yaml: serverless[1].vcpuHourUSD: must be > 0, got -0.045 (line 42)
func Load(data []byte, source string) (*Catalog, error) {
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		if e := nonFinite(source, data); e != nil {
			return nil, e // JSON has no NaN or Inf: the converter says only "unsupported value"
		}
		return nil, yamlError(source, err)
	}
	var c Catalog
	strict, err := kjson.UnmarshalStrict(js, &c)
	if err != nil {
		return nil, jsonError(source, data, err)
	}
	if len(strict) > 0 {
		return nil, strictErrors(source, data, strict)
	}
	if err := c.Validate(); err != nil {
		return nil, locate(source, data, err)
	}
	c.index()
	return &c, nil
}

// LoadFile is Load on the file at path, with path as the source.
func LoadFile(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err // *fs.PathError names the path
	}
	return Load(data, path)
}

func (c *Catalog) index() {
	c.serverless = make(map[string]*ServerlessPrice, len(c.ServerlessPrices))
	for i := range c.ServerlessPrices {
		c.serverless[c.ServerlessPrices[i].Name] = &c.ServerlessPrices[i]
	}
	c.instances = make(map[string]*InstanceType, len(c.Dedicated.InstanceTypes))
	for i := range c.Dedicated.InstanceTypes {
		c.instances[c.Dedicated.InstanceTypes[i].Name] = &c.Dedicated.InstanceTypes[i]
	}
}

// Serverless returns the billing rules of the serverless backend name.
func (c *Catalog) Serverless(name string) (*ServerlessPrice, bool) {
	if c.serverless != nil {
		p, ok := c.serverless[name]
		return p, ok
	}
	for i := range c.ServerlessPrices {
		if c.ServerlessPrices[i].Name == name {
			return &c.ServerlessPrices[i], true
		}
	}
	return nil, false
}

// InstanceType returns the prices of the VM type name (exact spelling, as
// in the node label node.kubernetes.io/instance-type).
func (c *Catalog) InstanceType(name string) (*InstanceType, bool) {
	if c.instances != nil {
		t, ok := c.instances[name]
		return t, ok
	}
	for i := range c.Dedicated.InstanceTypes {
		if c.Dedicated.InstanceTypes[i].Name == name {
			return &c.Dedicated.InstanceTypes[i], true
		}
	}
	return nil, false
}
