package validation

import (
	"net/url"
	"text/template"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/spillway-dev/spillway/plugins/apis/config"
)

// minResponseBytes is the smallest response cap accepted: below it not even
// an error response fits.
const minResponseBytes = 1024

// maxPointsPerSeries is the most points Prometheus returns per series of a
// range query; it refuses a query for more.
const maxPointsPerSeries = 11000

// validatePrometheusHistory checks the Prometheus history source's args;
// window is Steadiness's, the range of every query.
func validatePrometheusHistory(path *field.Path, p *config.PrometheusHistory, window time.Duration) field.ErrorList {
	var errs field.ErrorList
	if u, err := url.Parse(p.URL); p.URL == "" {
		errs = append(errs, field.Required(path.Child("url"), "the Prometheus server's base URL, e.g. http://prometheus:9090"))
	} else if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, field.Invalid(path.Child("url"), p.URL, "must be an absolute http or https URL"))
	}
	if p.Query == "" {
		errs = append(errs, field.Required(path.Child("query"), "a PromQL template over .Namespace, .Kind and .Name"))
	} else if _, err := template.New("query").Option("missingkey=error").Parse(p.Query); err != nil {
		errs = append(errs, field.Invalid(path.Child("query"), p.Query, err.Error()))
	}
	errs = append(errs, positive(path.Child("step"), p.Step.Duration)...)
	if p.Step.Duration > 0 && window/p.Step.Duration > maxPointsPerSeries {
		errs = append(errs, field.Invalid(path.Child("step"), p.Step.String(),
			"window / step must be at most 11000 points (Prometheus refuses more): use a longer step"))
	}
	errs = append(errs, positive(path.Child("refreshInterval"), p.RefreshInterval.Duration)...)
	if p.MaxQueriesPerInterval < 1 {
		errs = append(errs, field.Invalid(path.Child("maxQueriesPerInterval"), p.MaxQueriesPerInterval, "must be at least 1"))
	}
	if d := p.Timeout.Duration; d <= 0 || d > p.RefreshInterval.Duration {
		errs = append(errs, field.Invalid(path.Child("timeout"), p.Timeout.String(), "must be greater than 0 and at most refreshInterval"))
	}
	if p.MaxResponseBytes < minResponseBytes {
		errs = append(errs, field.Invalid(path.Child("maxResponseBytes"), p.MaxResponseBytes, "must be at least 1024"))
	}
	errs = append(errs, validateRedirects(path.Child("redirects"), p.Redirects)...)
	return errs
}
