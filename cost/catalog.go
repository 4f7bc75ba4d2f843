// Package cost holds Spillway's prices and billing rules: what a pod costs
// on a serverless backend (with the backend's shape rounding, minimum and
// granularity) and what a dedicated VM costs per hour under a pricing
// option. It is pure math over a versioned, dated catalog and does not
// import k8s.io/kubernetes.
package cost

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"sync"

	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Catalog identity.
const (
	APIVersion = "spillway.dev/v1alpha1"
	Kind       = "PriceCatalog"
)

// PricingOption selects which hourly price of a dedicated VM applies.
type PricingOption string

// Pricing options.
const (
	OnDemand PricingOption = "OnDemand"
	Reserved PricingOption = "Reserved" // reserved instance or savings plan
	Spot     PricingOption = "Spot"
)

// ParsePricingOption checks a pricing option's spelling.
func ParsePricingOption(s string) (PricingOption, error) {
	switch o := PricingOption(s); o {
	case OnDemand, Reserved, Spot:
		return o, nil
	}
	return "", fmt.Errorf("unknown pricing option %q (want %s, %s or %s)", s, OnDemand, Reserved, Spot)
}

// Catalog is a versioned, dated price catalog. It is read-only after Load
// and safe for concurrent use.
type Catalog struct {
	APIVersion       string            `json:"apiVersion"`
	Kind             string            `json:"kind"`
	Updated          string            `json:"updated"`
	Currency         string            `json:"currency"`
	ServerlessPrices []ServerlessPrice `json:"serverless"`
	Dedicated        DedicatedPrices   `json:"dedicated"`

	serverless map[string]*ServerlessPrice
	instances  map[string]*InstanceType
}

// ServerlessPrice is how a serverless backend bills a pod.
type ServerlessPrice struct {
	Name    string   `json:"name"`
	Sources []string `json:"sources"`
	Notes   string   `json:"notes,omitempty"`
	// VCPUHourUSD is the price of one vCPU for one hour.
	VCPUHourUSD float64 `json:"vcpuHourUSD"`
	// GiBHourUSD is the price of one GiB of memory for one hour.
	GiBHourUSD float64 `json:"gibHourUSD"`
	// MinimumBilledSeconds is the least a pod is billed for (Fargate 60).
	MinimumBilledSeconds int64 `json:"minimumBilledSeconds"`
	// GranularitySeconds: billed time is rounded up to a multiple of it.
	GranularitySeconds int64 `json:"granularitySeconds"`
	// SpotDiscount is the fraction off with spot capacity, 0..1.
	SpotDiscount float64   `json:"spotDiscount"`
	Shape        ShapeRule `json:"shape"`
}

// ShapeRule says how a pod's requested size becomes the billed size.
type ShapeRule struct {
	// MemoryOverheadMiB is added to the memory request before rounding
	// (Fargate: 256).
	MemoryOverheadMiB int64 `json:"memoryOverheadMiB,omitempty"`
	// Combinations (Fargate): the billed size is the first combination, in
	// ascending vCPU order, with vCPU >= the request and a memory size >=
	// the request (+ overhead) in [MinGiB, MaxGiB] in StepGiB steps; the
	// smallest such memory size is billed.
	Combinations []CPUMemoryRange `json:"combinations,omitempty"`
	// Step rounding, used when Combinations is empty: CPU rounded up to a
	// multiple of CPUStepMilli (at least MinCPUMilli), memory up to a
	// multiple of MemoryStepMiB (at least MinMemoryMiB).
	CPUStepMilli  int64 `json:"cpuStepMilli,omitempty"`
	MemoryStepMiB int64 `json:"memoryStepMiB,omitempty"`
	MinCPUMilli   int64 `json:"minCPUMilli,omitempty"`
	MinMemoryMiB  int64 `json:"minMemoryMiB,omitempty"`
}

// CPUMemoryRange is a vCPU size with its allowed memory sizes.
type CPUMemoryRange struct {
	VCPU    float64 `json:"vcpu"`
	MinGiB  float64 `json:"minGiB"`
	MaxGiB  float64 `json:"maxGiB"`
	StepGiB float64 `json:"stepGiB"`
}

// DedicatedPrices are the prices of VMs.
type DedicatedPrices struct {
	InstanceTypes []InstanceType `json:"instanceTypes"`
	// Fallback prices nodes whose instance type is not listed, per vCPU and
	// GiB of their allocatable; OnDemand is required.
	Fallback map[PricingOption]ResourceRate `json:"fallback"`
}

// ResourceRate is an hourly price per vCPU and per GiB.
type ResourceRate struct {
	VCPUHourUSD float64 `json:"vcpuHourUSD"`
	GiBHourUSD  float64 `json:"gibHourUSD"`
}

// InstanceType is a VM type and its hourly prices.
type InstanceType struct {
	Name      string                    `json:"name"`
	Provider  string                    `json:"provider"`
	VCPU      float64                   `json:"vcpu"`
	MemoryGiB float64                   `json:"memoryGiB"`
	HourlyUSD map[PricingOption]float64 `json:"hourlyUSD"`
	Sources   []string                  `json:"sources"`
}

//go:embed catalog.yaml
var defaultYAML []byte

var defaultCatalog = sync.OnceValue(func() *Catalog {
	c, err := Load(defaultYAML, "cost/catalog.yaml")
	if err != nil {
		panic(err) // guarded by TestDefaultCatalogLoads
	}
	return c
})

// Default returns the embedded catalog.
func Default() *Catalog { return defaultCatalog() }

// DefaultYAML returns the embedded catalog's text.
func DefaultYAML() []byte { return append([]byte(nil), defaultYAML...) }

// Load parses a catalog strictly (unknown or duplicate fields are errors)
// and validates it. Errors are prefixed with source and name the field.
func Load(data []byte, source string) (*Catalog, error) {
	jsonData, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	var c Catalog
	// Case-sensitive, unlike encoding/json: "vcpuHourUsd" is a typo.
	strict, err := kjson.UnmarshalStrict(jsonData, &c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if len(strict) > 0 {
		return nil, prefixErrors(source, errors.Join(strict...))
	}
	if err := c.Validate(); err != nil {
		return nil, prefixErrors(source, err)
	}
	c.index()
	return &c, nil
}

// LoadFile is Load on a file.
func LoadFile(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Load(data, path)
}

func prefixErrors(source string, err error) error {
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		return fmt.Errorf("%s: %w", source, err)
	}
	errs := joined.Unwrap()
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = fmt.Errorf("%s: %w", source, e)
	}
	return errors.Join(out...)
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

// Serverless returns the billing rules of a serverless backend.
func (c *Catalog) Serverless(name string) (*ServerlessPrice, bool) {
	p, ok := c.serverless[name]
	return p, ok
}

// InstanceType returns a VM type's prices.
func (c *Catalog) InstanceType(name string) (*InstanceType, bool) {
	t, ok := c.instances[name]
	return t, ok
}
