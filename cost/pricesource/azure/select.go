package azure

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/spillway-dev/spillway/cost"
)

// The meters of Azure Container Instances (Linux, standard) that bill a
// container group's vCPU and memory by duration.
const (
	ACIService     = "Container Instances"
	ACIVCPUMeter   = "Standard vCPU Duration"
	ACIMemoryMeter = "Standard Memory Duration"
	VMService      = "Virtual Machines"
)

// hoursPerYear converts a 1-year reservation's price (for the whole term)
// to an hourly one.
const hoursPerYear = 365 * 24

// gibPerGB: ACI bills memory in GB of 10^9 bytes; the catalog prices GiB.
const gibPerGB = 1.073741824

// Prices are what the API says for one region.
type Prices struct {
	Region string
	// ACI is nil when the pages had no ACI meters.
	ACI *ACIRates
	// VMs maps an armSkuName (Standard_D4s_v5) to its hourly prices by
	// pricing option; only the options found are present.
	VMs map[string]map[cost.PricingOption]float64
	// Skipped counts items that matched the query but no rule (Windows,
	// Low Priority, Dev/Test, 3-year reservations, other meters).
	Skipped int
}

// ACIRates are ACI's duration prices, per hour.
type ACIRates struct {
	VCPUHourUSD float64
	GiBHourUSD  float64 // the GB price converted to GiB
	GBHourUSD   float64 // as the API gives it
}

// candidate is a price and the start date that ranks it against others of
// the same meter (the latest wins).
type candidate struct {
	usd   float64
	start string
	seen  bool
}

func (c *candidate) offer(usd float64, start string) {
	if !c.seen || start > c.start || (start == c.start && usd < c.usd) {
		c.usd, c.start, c.seen = usd, start, true
	}
}

// Collect picks the prices of region out of items: ACI's two meters and,
// for each of skus, its Linux pay-as-you-go (OnDemand), Spot and 1-year
// reservation (Reserved, the term's price spread over its hours). An item
// in another currency, or with a price or unit that does not make sense,
// is an error naming it.
func Collect(items []Item, region string, skus []string) (*Prices, error) {
	p := &Prices{Region: region, VMs: map[string]map[cost.PricingOption]float64{}}
	var vcpu, mem candidate
	vms := map[string]map[cost.PricingOption]*candidate{}
	for i := range items {
		it := &items[i]
		if !strings.EqualFold(it.ArmRegionName, region) {
			continue
		}
		if it.CurrencyCode != "" && it.CurrencyCode != "USD" {
			return nil, fmt.Errorf("item %d (%s %q): currency %q, want USD", i, it.ServiceName, it.MeterName, it.CurrencyCode)
		}
		if math.IsNaN(it.RetailPrice) || it.RetailPrice < 0 || it.RetailPrice > 1e9 {
			return nil, fmt.Errorf("item %d (%s %q): retailPrice %v out of range", i, it.ServiceName, it.MeterName, it.RetailPrice)
		}
		if it.RetailPrice == 0 || it.TierMinimumUnits > 0 {
			p.Skipped++ // free tiers and volume tiers price nothing we model
			continue
		}
		switch {
		case it.ServiceName == ACIService && it.Type == "Consumption" && (it.MeterName == ACIVCPUMeter || it.MeterName == ACIMemoryMeter):
			h, err := hourly(it.RetailPrice, it.UnitOfMeasure)
			if err != nil {
				return nil, fmt.Errorf("item %d (%s %q): %w", i, it.ServiceName, it.MeterName, err)
			}
			if it.MeterName == ACIVCPUMeter {
				vcpu.offer(h, it.EffectiveStartDate)
			} else {
				mem.offer(h, it.EffectiveStartDate)
			}
		case it.ServiceName == VMService && slices.Contains(skus, it.ArmSkuName):
			opt, ok := vmOption(it)
			if !ok {
				p.Skipped++
				continue
			}
			usd := it.RetailPrice / hoursPerYear
			if opt != cost.Reserved {
				h, err := hourly(it.RetailPrice, it.UnitOfMeasure)
				if err != nil {
					return nil, fmt.Errorf("item %d (%s %q): %w", i, it.ServiceName, it.ArmSkuName, err)
				}
				usd = h
			}
			if vms[it.ArmSkuName] == nil {
				vms[it.ArmSkuName] = map[cost.PricingOption]*candidate{}
			}
			c := vms[it.ArmSkuName][opt]
			if c == nil {
				c = &candidate{}
				vms[it.ArmSkuName][opt] = c
			}
			c.offer(usd, it.EffectiveStartDate)
		default:
			p.Skipped++
		}
	}
	if vcpu.seen || mem.seen {
		if !vcpu.seen || !mem.seen {
			return nil, fmt.Errorf("%s in %s: found only one of the meters %q and %q", ACIService, region, ACIVCPUMeter, ACIMemoryMeter)
		}
		p.ACI = &ACIRates{VCPUHourUSD: vcpu.usd, GBHourUSD: mem.usd, GiBHourUSD: mem.usd * gibPerGB}
	}
	for sku, opts := range vms {
		p.VMs[sku] = map[cost.PricingOption]float64{}
		for opt, c := range opts {
			p.VMs[sku][opt] = c.usd
		}
	}
	return p, nil
}

// vmOption classifies a VM meter: Linux only (Windows products are
// skipped), no Low Priority, no Dev/Test, reservations of one year only.
func vmOption(it *Item) (cost.PricingOption, bool) {
	if strings.Contains(it.ProductName, "Windows") || strings.Contains(it.SkuName, "Low Priority") || strings.Contains(it.MeterName, "Low Priority") {
		return "", false
	}
	switch it.Type {
	case "Consumption":
		if strings.Contains(it.SkuName, "Spot") || strings.Contains(it.MeterName, "Spot") {
			return cost.Spot, true
		}
		return cost.OnDemand, true
	case "Reservation":
		if it.ReservationTerm == "1 Year" {
			return cost.Reserved, true
		}
	}
	return "", false
}
