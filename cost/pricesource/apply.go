package pricesource

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/cost/pricesource/aws"
	"github.com/spillway-dev/spillway/cost/pricesource/azure"
)

// Prefixes of the source lines this package writes; a later refresh
// replaces them rather than piling them up.
const (
	awsPrefix     = "AWS Price List bulk offer "
	azurePrefix   = "Azure Retail Prices API "
	keptPrefix    = "Kept from the catalog of "
	earlierPrefix = "Earlier source (catalog of "
)

// allKept starts the first source line of an entry none of whose prices
// were refreshed: "Kept from the catalog of DATE: all prices (why)".
const allKept = "all prices ("

// Apply maps fetched prices (either may be nil) onto a copy of base and
// returns the new catalog, dated day. Every entry whose prices were not
// all refreshed says so in its sources, with the date they are from: the
// catalog's updated date is the day of the refresh, not of every price.
func Apply(base *cost.Catalog, awsPrices *aws.Prices, azurePrices *azure.Prices, day time.Time) (*Result, error) {
	c, err := clone(base)
	if err != nil {
		return nil, err
	}
	date := day.Format(time.DateOnly)
	r := &Result{fresh: map[string]bool{}}
	if p := awsPrices; p != nil {
		if sp := serverless(c, "fargate"); sp != nil && p.Fargate != nil {
			r.fresh["fargate"] = true
			sp.Sources = refreshed(base.Updated, sp.Sources,
				fmt.Sprintf("%s%s, region %s: Fargate-vCPU-Hours:perCPU $%g per vCPU-hour, Fargate-GB-Hours $%g per GB-hour (Fargate's GB are GiB); fetched %s", awsPrefix, p.FargateVersion, p.Region, p.Fargate.VCPUHourUSD, p.Fargate.GBHourUSD, date),
				"minimumBilledSeconds, granularitySeconds, spotDiscount and shape (the offer files do not give them)")
			r.change("fargate", sp.VCPUHourUSD, p.Fargate.VCPUHourUSD, sp.GiBHourUSD, p.Fargate.GBHourUSD)
			sp.VCPUHourUSD, sp.GiBHourUSD = round(p.Fargate.VCPUHourUSD), round(p.Fargate.GBHourUSD)
		}
		applyVMs(c, base.Updated, "aws", p.EC2, func(found []cost.PricingOption) string {
			return fmt.Sprintf("%s%s, region %s, Linux, shared tenancy: %s; fetched %s", awsPrefix, p.EC2Version, p.Region, optionList(found, "1-year standard no upfront"), date)
		}, r)
	}
	if p := azurePrices; p != nil {
		if sp := serverless(c, "aci"); sp != nil && p.ACI != nil {
			r.fresh["aci"] = true
			sp.Sources = refreshed(base.Updated, sp.Sources,
				fmt.Sprintf("%sregion %s, %s: %q $%g per vCPU-hour, %q $%g per GB-hour = $%.8g per GiB-hour (GB of 10^9 bytes); fetched %s", azurePrefix, p.Region, azure.ACIService, azure.ACIVCPUMeter, p.ACI.VCPUHourUSD, azure.ACIMemoryMeter, p.ACI.GBHourUSD, p.ACI.GiBHourUSD, date),
				"minimumBilledSeconds, granularitySeconds, spotDiscount and shape (the API does not give them)")
			r.change("aci", sp.VCPUHourUSD, p.ACI.VCPUHourUSD, sp.GiBHourUSD, p.ACI.GiBHourUSD)
			sp.VCPUHourUSD, sp.GiBHourUSD = round(p.ACI.VCPUHourUSD), round(p.ACI.GiBHourUSD)
		}
		applyVMs(c, base.Updated, "azure", p.VMs, func(found []cost.PricingOption) string {
			return fmt.Sprintf("%sregion %s, %s, Linux: %s; fetched %s", azurePrefix, p.Region, azure.VMService, optionList(found, "1-year reservation over 8760 hours"), date)
		}, r)
	}
	r.markKept(c, base.Updated, awsPrices, azurePrices)
	c.Updated = date
	data, err := Marshal(c)
	if err != nil {
		return nil, err
	}
	loaded, err := cost.Load(data, "refreshed catalog")
	if err != nil {
		return nil, fmt.Errorf("the refreshed prices do not make a valid catalog: %w", err)
	}
	r.Catalog, r.YAML = loaded, data
	return r, nil
}

// applyVMs sets the hourly prices found for the instance types of
// provider; an option not found keeps the base's price (dropped, and said
// so, when it would be above the new on-demand price).
func applyVMs(c *cost.Catalog, baseDate, provider string, found map[string]map[cost.PricingOption]float64, source func([]cost.PricingOption) string, r *Result) {
	for i := range c.Dedicated.InstanceTypes {
		t := &c.Dedicated.InstanceTypes[i]
		if t.Provider != provider {
			continue
		}
		prices, ok := found[t.Name]
		if !ok || prices[cost.OnDemand] == 0 {
			continue // markKept says so
		}
		r.fresh[t.Name] = true
		var got, kept []cost.PricingOption
		for _, opt := range []cost.PricingOption{cost.OnDemand, cost.Reserved, cost.Spot} {
			usd, has := prices[opt]
			old, hadOld := t.HourlyUSD[opt]
			switch {
			case has:
				usd = round(usd)
				got = append(got, opt)
				if old != usd {
					r.Changes = append(r.Changes, fmt.Sprintf("%s %s: $%g -> $%g per hour", t.Name, opt, old, usd))
				}
				t.HourlyUSD[opt] = usd
			case hadOld && old > prices[cost.OnDemand]:
				delete(t.HourlyUSD, opt)
				r.Changes = append(r.Changes, fmt.Sprintf("%s %s: dropped the catalog's $%g, above the new on-demand price (priced as OnDemand now)", t.Name, opt, old))
			case hadOld:
				kept = append(kept, opt)
			}
		}
		note := ""
		if len(kept) > 0 {
			note = optionList(kept, "") + " (not in the price list)"
		}
		t.Sources = refreshed(baseDate, t.Sources, source(got), note)
	}
}

// refreshed returns the new source line first, a line naming what was
// kept from the base (if anything), then the base's own sources marked as
// earlier; the lines of a previous refresh are dropped.
func refreshed(baseDate string, old []string, fresh, kept string) []string {
	out := []string{fresh}
	if kept != "" {
		// A price kept by an earlier refresh still dates from its catalog.
		keptDate := baseDate
		for _, s := range old {
			if d, ok := strings.CutPrefix(s, keptPrefix); ok && len(d) > len(time.DateOnly) {
				keptDate = d[:len(time.DateOnly)]
			}
		}
		out = append(out, keptPrefix+keptDate+": "+kept)
	}
	for _, s := range old {
		switch {
		case strings.HasPrefix(s, awsPrefix), strings.HasPrefix(s, azurePrefix), strings.HasPrefix(s, keptPrefix):
		case strings.HasPrefix(s, earlierPrefix):
			out = append(out, s)
		default:
			out = append(out, earlierPrefix+baseDate+"): "+s)
		}
	}
	return out
}

// markKept puts an "all prices kept" line first in the sources of every
// entry that no source refreshed (not in the answer, a provider not
// fetched, a backend no price list covers), and says so in Changes, so
// that re-dating the catalog never passes an old price off as checked
// today.
func (r *Result) markKept(c *cost.Catalog, baseDate string, awsPrices *aws.Prices, azurePrices *azure.Prices) {
	why := func(provider string) string {
		switch {
		case provider == "aws" && awsPrices != nil:
			return "not in the AWS Price List bulk offer files, region " + awsPrices.Region
		case provider == "azure" && azurePrices != nil:
			return "not in the Azure Retail Prices API's answer, region " + azurePrices.Region
		case provider == "aws" || provider == "azure":
			return provider + " prices were not fetched"
		}
		return "no price list is read for it"
	}
	for i := range c.ServerlessPrices {
		sp := &c.ServerlessPrices[i]
		if r.fresh[sp.Name] {
			continue
		}
		provider := map[string]string{"fargate": "aws", "aci": "azure"}[sp.Name]
		var d string
		sp.Sources, d = keptWhole(baseDate, sp.Sources, why(provider))
		r.Changes = append(r.Changes, fmt.Sprintf("%s: %s; all its prices kept from the catalog of %s", sp.Name, why(provider), d))
	}
	for i := range c.Dedicated.InstanceTypes {
		t := &c.Dedicated.InstanceTypes[i]
		if r.fresh[t.Name] {
			continue
		}
		var d string
		t.Sources, d = keptWhole(baseDate, t.Sources, why(t.Provider))
		r.Changes = append(r.Changes, fmt.Sprintf("%s: %s; all its prices kept from the catalog of %s", t.Name, why(t.Provider), d))
	}
}

// keptWhole returns sources with "Kept from the catalog of DATE: all
// prices (why)" first, replacing such a line of an earlier refresh, whose
// date it keeps (the prices are that old), and the date.
func keptWhole(baseDate string, old []string, why string) ([]string, string) {
	date, rest := baseDate, old
	if len(old) > 0 {
		if d, ok := strings.CutPrefix(old[0], keptPrefix); ok && len(d) > len(time.DateOnly) && strings.HasPrefix(d[len(time.DateOnly):], ": "+allKept) {
			date, rest = d[:len(time.DateOnly)], old[1:]
		}
	}
	out := make([]string, 0, len(rest)+1)
	out = append(out, keptPrefix+date+": "+allKept+why+")")
	return append(out, rest...), date
}

// round keeps 8 significant digits: what unit conversions (GB to GiB, a
// year's reservation to hours) add beyond them is float noise.
func round(usd float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(usd, 'g', 8, 64), 64)
	return v
}

func optionList(opts []cost.PricingOption, reservedMeans string) string {
	var parts []string
	for _, o := range opts {
		if o == cost.Reserved && reservedMeans != "" {
			parts = append(parts, fmt.Sprintf("%s (%s)", o, reservedMeans))
			continue
		}
		parts = append(parts, string(o))
	}
	return strings.Join(parts, ", ")
}

func (r *Result) change(name string, oldCPU, newCPU, oldMem, newMem float64) {
	r.Changes = append(r.Changes, fmt.Sprintf("%s: $%g -> $%g per vCPU-hour, $%g -> $%g per GiB-hour", name, oldCPU, newCPU, oldMem, newMem))
}

func serverless(c *cost.Catalog, name string) *cost.ServerlessPrice {
	for i := range c.ServerlessPrices {
		if c.ServerlessPrices[i].Name == name {
			return &c.ServerlessPrices[i]
		}
	}
	return nil
}

// clone deep-copies a catalog's exported fields.
func clone(c *cost.Catalog) (*cost.Catalog, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("copying the catalog: %w", err)
	}
	var out cost.Catalog
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("copying the catalog: %w", err)
	}
	return &out, nil
}

// header starts every catalog this package writes.
const header = `# Spillway price catalog, refreshed from the providers' public price lists
# by "spillway prices refresh" (or BurstCost's priceRefresh). Each entry's
# sources say which prices were fetched and which were kept from the
# catalog it started from. Format: cost/README.md.
`

// Marshal writes a catalog in the catalog format (the keys in a fixed
// order, so the same catalog gives the same bytes).
func Marshal(c *cost.Catalog) ([]byte, error) {
	body, err := yaml.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("writing the catalog: %w", err)
	}
	return append([]byte(header), body...), nil
}

// WriteFile writes r's catalog to path atomically (a temporary file in
// the same directory, renamed), so a scheduler reading path never sees
// half a file.
func WriteFile(path string, r *Result) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(r.YAML); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// DatedName is the conventional file name of a catalog refreshed on day:
// prices-YYYY-MM-DD.yaml.
func DatedName(day time.Time) string {
	return "prices-" + day.UTC().Format(time.DateOnly) + ".yaml"
}
