package cost

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Validate reports every problem of the catalog, each naming its field.
func (c *Catalog) Validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	if c.APIVersion != APIVersion {
		bad("apiVersion", "must be %q, got %q", APIVersion, c.APIVersion)
	}
	if c.Kind != Kind {
		bad("kind", "must be %q, got %q", Kind, c.Kind)
	}
	if _, err := time.Parse(time.DateOnly, c.Updated); err != nil {
		bad("updated", "must be a date YYYY-MM-DD, got %q", c.Updated)
	}
	if c.Currency != "USD" {
		bad("currency", "must be USD, got %q", c.Currency)
	}
	seen := map[string]bool{}
	for i := range c.ServerlessPrices {
		p := &c.ServerlessPrices[i]
		path := fmt.Sprintf("serverless[%d]", i)
		if p.Name == "" {
			bad(path+".name", "required")
		} else if seen[p.Name] {
			bad(path+".name", "duplicate name %q", p.Name)
		}
		seen[p.Name] = true
		positive(bad, path+".vcpuHourUSD", p.VCPUHourUSD)
		positive(bad, path+".gibHourUSD", p.GiBHourUSD)
		if p.MinimumBilledSeconds < 0 {
			bad(path+".minimumBilledSeconds", "must be >= 0")
		}
		if p.GranularitySeconds < 1 {
			bad(path+".granularitySeconds", "must be >= 1")
		}
		if !(p.SpotDiscount >= 0 && p.SpotDiscount <= 1) {
			bad(path+".spotDiscount", "must be between 0 and 1, got %v", p.SpotDiscount)
		}
		p.Shape.validate(bad, path+".shape")
	}
	c.Dedicated.validate(bad)
	return errors.Join(errs...)
}

func positive(bad func(string, string, ...any), path string, v float64) {
	if !(v > 0) || math.IsInf(v, 0) {
		bad(path, "must be > 0, got %v", v)
	}
}

func (s *ShapeRule) validate(bad func(string, string, ...any), path string) {
	if s.MemoryOverheadMiB < 0 {
		bad(path+".memoryOverheadMiB", "must be >= 0")
	}
	if len(s.Combinations) == 0 {
		if s.CPUStepMilli < 1 {
			bad(path+".cpuStepMilli", "must be >= 1 when there are no combinations")
		}
		if s.MemoryStepMiB < 1 {
			bad(path+".memoryStepMiB", "must be >= 1 when there are no combinations")
		}
		if s.MinCPUMilli < 0 || s.MinMemoryMiB < 0 {
			bad(path, "minCPUMilli and minMemoryMiB must be >= 0")
		}
		return
	}
	for j, r := range s.Combinations {
		p := fmt.Sprintf("%s.combinations[%d]", path, j)
		positive(bad, p+".vcpu", r.VCPU)
		positive(bad, p+".minGiB", r.MinGiB)
		positive(bad, p+".stepGiB", r.StepGiB)
		if !(r.MaxGiB >= r.MinGiB) || r.MaxGiB > 1<<20 {
			bad(p+".maxGiB", "must be >= minGiB and at most 1 PiB, got %v", r.MaxGiB)
		} else if r.StepGiB > 0 && (r.MaxGiB-r.MinGiB)/r.StepGiB > 10000 {
			bad(p+".stepGiB", "too small: more than 10000 sizes")
		}
		if j > 0 && r.VCPU < s.Combinations[j-1].VCPU {
			bad(p+".vcpu", "combinations must be in ascending vCPU order")
		}
	}
}

func (d *DedicatedPrices) validate(bad func(string, string, ...any)) {
	if _, ok := d.Fallback[OnDemand]; !ok {
		bad("dedicated.fallback.OnDemand", "required")
	}
	for opt, r := range d.Fallback {
		p := "dedicated.fallback." + string(opt)
		if _, err := ParsePricingOption(string(opt)); err != nil {
			bad(p, "%v", err)
		}
		positive(bad, p+".vcpuHourUSD", r.VCPUHourUSD)
		positive(bad, p+".gibHourUSD", r.GiBHourUSD)
	}
	seen := map[string]bool{}
	for i, t := range d.InstanceTypes {
		p := fmt.Sprintf("dedicated.instanceTypes[%d]", i)
		if t.Name == "" {
			bad(p+".name", "required")
		} else if seen[t.Name] {
			bad(p+".name", "duplicate name %q", t.Name)
		}
		seen[t.Name] = true
		positive(bad, p+".vcpu", t.VCPU)
		positive(bad, p+".memoryGiB", t.MemoryGiB)
		if _, ok := t.HourlyUSD[OnDemand]; !ok {
			bad(p+".hourlyUSD.OnDemand", "required")
		}
		for opt, v := range t.HourlyUSD {
			if _, err := ParsePricingOption(string(opt)); err != nil {
				bad(p+".hourlyUSD."+string(opt), "%v", err)
			}
			positive(bad, p+".hourlyUSD."+string(opt), v)
		}
		if len(t.Sources) == 0 {
			bad(p+".sources", "at least one source is required")
		}
	}
}
