// Package validation checks the Spillway plugins' args. Plugins call it from
// New, so a bad value stops the scheduler at start with the field named.
package validation

import (
	"math"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/plugins/apis/config"
)

// ValidateServerlessFitArgs validates ServerlessFit's args.
// It has no bounded values; the catalog file is checked when it is loaded.
func ValidateServerlessFitArgs(_ *field.Path, _ *config.ServerlessFitArgs) error {
	return nil
}

// ValidateBurstCostArgs validates BurstCost's args.
func ValidateBurstCostArgs(path *field.Path, args *config.BurstCostArgs) error {
	var errs field.ErrorList
	if _, err := cost.ParsePricingOption(args.VMPricing); err != nil {
		errs = append(errs, field.NotSupported(path.Child("vmPricing"), args.VMPricing,
			[]string{string(cost.OnDemand), string(cost.Reserved), string(cost.Spot)}))
	}
	errs = append(errs, inRange(path.Child("vmMarginalCostFactor"), args.VMMarginalCostFactor, 0, 1)...)
	errs = append(errs, inRange(path.Child("packingFactor"), args.PackingFactor, 0, 100)...)
	errs = append(errs, inRange(path.Child("startupPenaltyUSDPerMinute"), args.StartupPenaltyUSDPerMinute, 0, 1000)...)
	errs = append(errs, positive(path.Child("defaultHorizon"), args.DefaultHorizon.Duration)...)
	if args.MinObservedLifetimes < 1 || args.MinObservedLifetimes > 1000 {
		errs = append(errs, field.Invalid(path.Child("minObservedLifetimes"), args.MinObservedLifetimes, "must be between 1 and 1000"))
	}
	if d := args.ObservedLifetimesRetention.Duration; d < time.Minute || d > 720*time.Hour {
		errs = append(errs, field.Invalid(path.Child("observedLifetimesRetention"), d.String(), "must be between 1m and 720h"))
	}
	if d := args.PriceCatalogReloadInterval.Duration; d < 0 || (d > 0 && d < time.Second) {
		errs = append(errs, field.Invalid(path.Child("priceCatalogReloadInterval"), d.String(), "must be 0 (never) or at least 1s"))
	}
	errs = append(errs, validatePriceRefresh(path.Child("priceRefresh"), args.PriceRefresh)...)
	return errs.ToAggregate()
}

// ValidateSteadinessArgs validates Steadiness's args.
func ValidateSteadinessArgs(path *field.Path, args *config.SteadinessArgs) error {
	var errs field.ErrorList
	errs = append(errs, positive(path.Child("window"), args.Window.Duration)...)
	if args.BasePercentile < 1 || args.BasePercentile > 100 {
		errs = append(errs, field.Invalid(path.Child("basePercentile"), args.BasePercentile, "must be between 1 and 100"))
	}
	if d := args.MinHistory.Duration; d < 0 || d > args.Window.Duration {
		errs = append(errs, field.Invalid(path.Child("minHistory"), args.MinHistory.String(), "must be between 0 and window"))
	}
	if args.VMHeadroomPercent < 0 || args.VMHeadroomPercent > 100 {
		errs = append(errs, field.Invalid(path.Child("vmHeadroomPercent"), args.VMHeadroomPercent, "must be between 0 and 100"))
	}
	errs = append(errs, positive(path.Child("longRunningJob"), args.LongRunningJob.Duration)...)
	if p := args.History.Prometheus; p != nil {
		errs = append(errs, validatePrometheusHistory(path.Child("history", "prometheus"), p, args.Window.Duration)...)
	}
	return errs.ToAggregate()
}

func inRange(p *field.Path, v, lo, hi float64) field.ErrorList {
	if math.IsNaN(v) || v < lo || v > hi {
		return field.ErrorList{field.Invalid(p, v, "must be between "+ftoa(lo)+" and "+ftoa(hi))}
	}
	return nil
}

func positive(p *field.Path, d time.Duration) field.ErrorList {
	if d <= 0 {
		return field.ErrorList{field.Invalid(p, d.String(), "must be greater than 0")}
	}
	return nil
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
