package aws

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/spillway-dev/spillway/cost"
)

// sortedKeys returns m's keys in order, for deterministic output.
func sortedKeys[M ~map[K]V, K cmp.Ordered, V any](m M) []K {
	return slices.Sorted(maps.Keys(m))
}

// EC2Filter keeps the products that price an instance type of types as a
// catalog means it: Linux, shared tenancy, no pre-installed software, a
// used (not reserved-capacity) instance, in region.
func EC2Filter(region string, types []string) func(*Product) bool {
	want := map[string]bool{}
	for _, t := range types {
		want[t] = true
	}
	return func(p *Product) bool {
		a := p.Attributes
		return want[a["instanceType"]] &&
			strings.HasPrefix(p.ProductFamily, "Compute Instance") &&
			a["operatingSystem"] == "Linux" &&
			a["tenancy"] == "Shared" &&
			a["preInstalledSw"] == "NA" &&
			(a["capacitystatus"] == "" || a["capacitystatus"] == "Used") &&
			(a["licenseModel"] == "" || a["licenseModel"] == "No License required") &&
			(a["marketoption"] == "" || a["marketoption"] == "OnDemand") &&
			(a["regionCode"] == "" || a["regionCode"] == region)
	}
}

// EC2Prices maps the kept products to hourly prices by instance type: the
// on-demand rate, and the 1-year standard no-upfront reserved rate as
// Reserved. A type that two products price differently is an error (the
// filter let through something it should not).
func EC2Prices(o *Offer) (map[string]map[cost.PricingOption]float64, error) {
	out := map[string]map[cost.PricingOption]float64{}
	from := map[string]string{}
	for _, sku := range sortedKeys(o.Products) {
		it := o.Products[sku].Attributes["instanceType"]
		prices := map[cost.PricingOption]float64{}
		if usd, ok, err := hourlyRate(o.Terms["OnDemand"][sku], nil); err != nil {
			return nil, fmt.Errorf("%s (sku %s) OnDemand: %w", it, sku, err)
		} else if ok {
			prices[cost.OnDemand] = usd
		}
		oneYearNoUpfront := func(t *Term) bool {
			a := t.TermAttributes
			return a["LeaseContractLength"] == "1yr" && a["OfferingClass"] == "standard" && a["PurchaseOption"] == "No Upfront"
		}
		if usd, ok, err := hourlyRate(o.Terms["Reserved"][sku], oneYearNoUpfront); err != nil {
			return nil, fmt.Errorf("%s (sku %s) Reserved: %w", it, sku, err)
		} else if ok {
			prices[cost.Reserved] = usd
		}
		if len(prices) == 0 {
			continue
		}
		if prev, dup := out[it]; dup && !maps.Equal(prev, prices) {
			return nil, fmt.Errorf("%s: skus %s and %s give different prices (%v, %v)", it, from[it], sku, prev, prices)
		}
		out[it], from[it] = prices, sku
	}
	return out, nil
}

// Fargate usage types (the region's prefix, such as USE1-, comes first;
// us-east-1's files also list them bare).
const (
	fargateVCPUUsage = "Fargate-vCPU-Hours:perCPU"
	fargateGBUsage   = "Fargate-GB-Hours"
)

// FargateFilter keeps the Linux/x86 on-demand Fargate vCPU and memory
// products of region (not ARM, Windows or Spot).
func FargateFilter(region string) func(*Product) bool {
	return func(p *Product) bool {
		u := p.Attributes["usagetype"]
		if strings.Contains(u, "Spot") || (p.Attributes["regionCode"] != "" && p.Attributes["regionCode"] != region) {
			return false
		}
		for _, want := range []string{fargateVCPUUsage, fargateGBUsage} {
			if u == want || strings.HasSuffix(u, "-"+want) {
				return true
			}
		}
		return false
	}
}

// FargateRates are Fargate's hourly rates in a region.
type FargateRates struct {
	VCPUHourUSD float64
	// GBHourUSD is per GB as AWS writes it; Fargate's GB are GiB (ECS
	// task sizes are in MiB), so it is the catalog's gibHourUSD.
	GBHourUSD float64
}

// FargatePrices finds the vCPU and GB rates among the kept products.
func FargatePrices(o *Offer) (*FargateRates, error) {
	var r FargateRates
	for _, sku := range sortedKeys(o.Products) {
		u := o.Products[sku].Attributes["usagetype"]
		usd, ok, err := hourlyRate(o.Terms["OnDemand"][sku], nil)
		if err != nil {
			return nil, fmt.Errorf("%s (sku %s): %w", u, sku, err)
		}
		if !ok {
			continue
		}
		dst := &r.GBHourUSD
		if strings.HasSuffix(u, fargateVCPUUsage) {
			dst = &r.VCPUHourUSD
		}
		if *dst != 0 && *dst != usd {
			return nil, fmt.Errorf("%s: two rates, %v and %v", u, *dst, usd)
		}
		*dst = usd
	}
	if r.VCPUHourUSD == 0 || r.GBHourUSD == 0 {
		return nil, fmt.Errorf("offer %s: no on-demand rate for %q and %q", o.OfferCode, fargateVCPUUsage, fargateGBUsage)
	}
	return &r, nil
}

// hourlyRate is the USD rate per hour of the terms that match (all when
// match is nil): the single hourly price dimension. ok is false when no
// term matches; two different rates are an error.
func hourlyRate(terms []Term, match func(*Term) bool) (usd float64, ok bool, err error) {
	for i := range terms {
		t := &terms[i]
		if match != nil && !match(t) {
			continue
		}
		for _, code := range sortedKeys(t.PriceDimensions) {
			d := t.PriceDimensions[code]
			if u := strings.ToLower(d.Unit); u != "hrs" && u != "hours" {
				continue // an upfront fee ("Quantity") and the like
			}
			s, has := d.PricePerUnit["USD"]
			if !has {
				return 0, false, fmt.Errorf("price dimension %s: no USD price", code)
			}
			v, perr := strconv.ParseFloat(s, 64)
			if perr != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1e6 {
				return 0, false, fmt.Errorf("price dimension %s: USD %q is not a price", code, s)
			}
			if v == 0 {
				continue // the $0.00 rows AWS lists for unused capacity and the like
			}
			if ok && v != usd {
				return 0, false, fmt.Errorf("price dimensions disagree: %v and %v per hour", usd, v)
			}
			usd, ok = v, true
		}
	}
	return usd, ok, nil
}
