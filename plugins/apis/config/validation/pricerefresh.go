package validation

import (
	"net/url"
	"regexp"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
	"github.com/spillway-dev/spillway/plugins/apis/config"
)

var (
	awsRegion   = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	azureRegion = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
)

// validatePriceRefresh checks BurstCost's priceRefresh (nil: off).
func validatePriceRefresh(p *field.Path, r *config.PriceRefreshArgs) field.ErrorList {
	if r == nil {
		return nil
	}
	var errs field.ErrorList
	if d := r.Interval.Duration; d < time.Minute {
		errs = append(errs, field.Invalid(p.Child("interval"), d.String(), "must be at least 1m (the price lists change daily at most)"))
	}
	if d := r.Timeout.Duration; d <= 0 {
		errs = append(errs, field.Invalid(p.Child("timeout"), d.String(), "must be greater than 0"))
	}
	if r.MaxResponseBytes < 1024 {
		errs = append(errs, field.Invalid(p.Child("maxResponseBytes"), r.MaxResponseBytes, "must be at least 1024"))
	}
	errs = append(errs, validateRedirects(p.Child("redirects"), r.Redirects)...)
	if r.AWS == nil && r.Azure == nil {
		errs = append(errs, field.Required(p, "at least one of aws and azure"))
	}
	errs = append(errs, validateSource(p.Child("aws"), r.AWS, awsRegion, "an AWS region code such as us-east-1")...)
	errs = append(errs, validateSource(p.Child("azure"), r.Azure, azureRegion, "an Azure region name such as eastus")...)
	return errs
}

// validateRedirects checks a redirect policy; "" (an object that skipped
// defaulting) means the default.
func validateRedirects(p *field.Path, r string) field.ErrorList {
	if _, err := httpfetch.ParseRedirects(r); err != nil {
		return field.ErrorList{field.NotSupported(p, r, []string{string(httpfetch.RedirectsSameHost), string(httpfetch.RedirectsNone)})}
	}
	return nil
}

func validateSource(p *field.Path, s *config.PriceSourceArgs, region *regexp.Regexp, want string) field.ErrorList {
	if s == nil {
		return nil
	}
	var errs field.ErrorList
	if !region.MatchString(s.Region) {
		errs = append(errs, field.Invalid(p.Child("region"), s.Region, "must be "+want))
	}
	if s.Endpoint != "" {
		u, err := url.Parse(s.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			// The value may hold a mirror's credentials: never echo it.
			errs = append(errs, field.Invalid(p.Child("endpoint"), "(not shown)", "must be an absolute http or https URL"))
		}
	}
	return errs
}
