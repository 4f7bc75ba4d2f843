package cost

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// Bounds that keep the billing arithmetic exact and free of overflow; a
// catalog beyond them is surely a typo.
const (
	maxPriceUSD  = 1e6     // any hourly price
	maxVCPU      = 1 << 20 // a combination's vCPU
	maxGiB       = 1 << 20 // a combination's memory (1 PiB)
	maxMilliOrMi = 1 << 40 // step-rule and overhead values in millicores or MiB
)

// Validate reports every problem of the catalog, each a *FieldError naming
// its field path, joined with errors.Join; nil if there is none.
func (c *Catalog) Validate() error {
	v := &validator{}
	if c.APIVersion != APIVersion {
		v.bad("apiVersion", "must be %q, got %q", APIVersion, c.APIVersion)
	}
	if c.Kind != Kind {
		v.bad("kind", "must be %q, got %q", Kind, c.Kind)
	}
	if c.Updated == "" {
		v.bad("updated", "required: the date the prices were checked, YYYY-MM-DD")
	} else if _, err := time.Parse(time.DateOnly, c.Updated); err != nil {
		v.bad("updated", "must be a date YYYY-MM-DD, got %q", c.Updated)
	}
	if c.Currency != "USD" {
		v.bad("currency", "must be \"USD\" (the only currency supported), got %q", c.Currency)
	}
	seen := make(map[string]bool, len(c.ServerlessPrices))
	for i := range c.ServerlessPrices {
		p := &c.ServerlessPrices[i]
		path := fmt.Sprintf("serverless[%d]", i)
		v.name(path+".name", p.Name, seen)
		v.sources(path+".sources", p.Sources)
		v.price(path+".vcpuHourUSD", p.VCPUHourUSD)
		v.price(path+".gibHourUSD", p.GiBHourUSD)
		if p.MinimumBilledSeconds < 0 || p.MinimumBilledSeconds > maxBilledSeconds {
			v.bad(path+".minimumBilledSeconds", "must be between 0 and %d, got %d", int64(maxBilledSeconds), p.MinimumBilledSeconds)
		}
		if p.GranularitySeconds < 1 || p.GranularitySeconds > maxBilledSeconds {
			v.bad(path+".granularitySeconds", "must be between 1 (per second) and %d, got %d", int64(maxBilledSeconds), p.GranularitySeconds)
		}
		if !(p.SpotDiscount >= 0 && p.SpotDiscount <= 1) {
			v.bad(path+".spotDiscount", "must be between 0 and 1, got %v", p.SpotDiscount)
		}
		v.shape(path+".shape", &p.Shape)
	}
	v.dedicated(&c.Dedicated)
	return errors.Join(v.errs...)
}

type validator struct{ errs []error }

func (v *validator) bad(path, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) name(path, name string, seen map[string]bool) {
	switch {
	case name == "":
		v.bad(path, "required")
	case seen[name]:
		v.bad(path, "duplicate name %q", name)
	}
	seen[name] = true
}

func (v *validator) sources(path string, sources []string) {
	if len(sources) == 0 {
		v.bad(path, "at least one source is required: where the prices come from")
	}
	for i, s := range sources {
		if s == "" {
			v.bad(fmt.Sprintf("%s[%d]", path, i), "must not be empty")
		}
	}
}

func (v *validator) price(path string, usd float64) {
	if !(usd > 0 && usd <= maxPriceUSD) {
		v.bad(path, "must be > 0 (and at most %g), got %v", float64(maxPriceUSD), usd)
	}
}

func (v *validator) int(path string, n int64) {
	if n < 0 || n > maxMilliOrMi {
		v.bad(path, "must be between 0 and %d, got %d", int64(maxMilliOrMi), n)
	}
}

// whole reports whether x is a whole number of units of 1/per (a whole
// millicore for per = 1000, a whole MiB of GiB for per = 1024), allowing
// for the decimal fraction's rounding error.
func whole(x, per float64) bool {
	return math.Abs(x*per-math.Round(x*per)) < 1e-6
}

func (v *validator) shape(path string, s *ShapeRule) {
	v.int(path+".memoryOverheadMiB", s.MemoryOverheadMiB)
	v.int(path+".defaultCPUMilli", s.DefaultCPUMilli)
	v.int(path+".defaultMemoryMiB", s.DefaultMemoryMiB)
	v.int(path+".minCPUMilli", s.MinCPUMilli)
	v.int(path+".minMemoryMiB", s.MinMemoryMiB)
	if len(s.Combinations) == 0 {
		if s.CPUStepMilli < 1 || s.CPUStepMilli > maxMilliOrMi {
			v.bad(path+".cpuStepMilli", "must be between 1 and %d when there are no combinations, got %d", int64(maxMilliOrMi), s.CPUStepMilli)
		}
		if s.MemoryStepMiB < 1 || s.MemoryStepMiB > maxMilliOrMi {
			v.bad(path+".memoryStepMiB", "must be between 1 and %d when there are no combinations, got %d", int64(maxMilliOrMi), s.MemoryStepMiB)
		}
		return
	}
	for _, f := range []struct {
		name string
		n    int64
	}{{"cpuStepMilli", s.CPUStepMilli}, {"memoryStepMiB", s.MemoryStepMiB}, {"minCPUMilli", s.MinCPUMilli}, {"minMemoryMiB", s.MinMemoryMiB}} {
		if f.n != 0 {
			v.bad(path+"."+f.name, "not allowed with combinations (step rounding applies only without them)")
		}
	}
	for j, r := range s.Combinations {
		p := fmt.Sprintf("%s.combinations[%d]", path, j)
		okCPU := r.VCPU > 0 && r.VCPU <= maxVCPU && whole(r.VCPU, 1000)
		if !okCPU {
			v.bad(p+".vcpu", "must be > 0, at most %d and a whole number of millicores, got %v", maxVCPU, r.VCPU)
		}
		okMin := r.MinGiB > 0 && r.MinGiB <= maxGiB && whole(r.MinGiB, 1024)
		if !okMin {
			v.bad(p+".minGiB", "must be > 0, at most %d and a whole number of MiB, got %v", maxGiB, r.MinGiB)
		}
		okStep := r.StepGiB > 0 && r.StepGiB <= maxGiB && whole(r.StepGiB, 1024)
		if !okStep {
			v.bad(p+".stepGiB", "must be > 0, at most %d and a whole number of MiB, got %v", maxGiB, r.StepGiB)
		}
		switch {
		case !(r.MaxGiB >= r.MinGiB && r.MaxGiB <= maxGiB && whole(r.MaxGiB, 1024)):
			v.bad(p+".maxGiB", "must be >= minGiB, at most %d and a whole number of MiB, got %v", maxGiB, r.MaxGiB)
		case okMin && okStep && (gibToMiB(r.MaxGiB)-gibToMiB(r.MinGiB))%gibToMiB(r.StepGiB) != 0:
			v.bad(p+".maxGiB", "must be minGiB plus a whole number of stepGiB, got %v (from %v in steps of %v)", r.MaxGiB, r.MinGiB, r.StepGiB)
		}
		if j == 0 || !okCPU {
			continue
		}
		prev := s.Combinations[j-1]
		switch {
		case r.VCPU < prev.VCPU:
			v.bad(p+".vcpu", "combinations must be in ascending vCPU order: %v after %v", r.VCPU, prev.VCPU)
		case r.VCPU == prev.VCPU && !(r.MinGiB > prev.MaxGiB):
			v.bad(p+".minGiB", "must be above the previous combination's maxGiB %v (same vCPU, ascending memory)", prev.MaxGiB)
		}
	}
}

// optionName matches a map key that is printed bare in a field path.
var optionName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func keyPath(path string, opt PricingOption) string {
	if optionName.MatchString(string(opt)) {
		return path + "." + string(opt)
	}
	return path + "[" + strconv.Quote(string(opt)) + "]"
}

func sortedOptions[V any](m map[PricingOption]V) []PricingOption {
	keys := make([]PricingOption, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (v *validator) dedicated(d *DedicatedPrices) {
	onDemand, ok := d.Fallback[OnDemand]
	if !ok {
		v.bad("dedicated.fallback.OnDemand", "required: the rate of unlisted instance types")
	}
	for _, opt := range sortedOptions(d.Fallback) {
		r, p := d.Fallback[opt], keyPath("dedicated.fallback", opt)
		if _, err := ParsePricingOption(string(opt)); err != nil {
			v.bad(p, "%v", err)
			continue
		}
		v.price(p+".vcpuHourUSD", r.VCPUHourUSD)
		v.price(p+".gibHourUSD", r.GiBHourUSD)
		if ok && opt != OnDemand && (r.VCPUHourUSD > onDemand.VCPUHourUSD || r.GiBHourUSD > onDemand.GiBHourUSD) {
			v.bad(p, "must not be above the OnDemand rate")
		}
	}
	seen := make(map[string]bool, len(d.InstanceTypes))
	for i := range d.InstanceTypes {
		t := &d.InstanceTypes[i]
		p := fmt.Sprintf("dedicated.instanceTypes[%d]", i)
		v.name(p+".name", t.Name, seen)
		if t.Provider == "" {
			v.bad(p+".provider", "required, e.g. aws or azure")
		}
		if !(t.VCPU > 0 && t.VCPU <= maxVCPU) {
			v.bad(p+".vcpu", "must be > 0 and at most %d, got %v", maxVCPU, t.VCPU)
		}
		if !(t.MemoryGiB > 0 && t.MemoryGiB <= maxGiB) {
			v.bad(p+".memoryGiB", "must be > 0 and at most %d, got %v", maxGiB, t.MemoryGiB)
		}
		od, hasOD := t.HourlyUSD[OnDemand]
		if !hasOD {
			v.bad(p+".hourlyUSD.OnDemand", "required")
		}
		for _, opt := range sortedOptions(t.HourlyUSD) {
			usd, q := t.HourlyUSD[opt], keyPath(p+".hourlyUSD", opt)
			if _, err := ParsePricingOption(string(opt)); err != nil {
				v.bad(q, "%v", err)
				continue
			}
			v.price(q, usd)
			if hasOD && opt != OnDemand && usd > od {
				v.bad(q, "must not be above the OnDemand price %v, got %v", od, usd)
			}
		}
		v.sources(p+".sources", t.Sources)
	}
}
