package validation

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/spillway-dev/spillway/plugins/apis/config"
)

func TestValidatePrometheusHistory(t *testing.T) {
	valid := func() *config.PrometheusHistory {
		return &config.PrometheusHistory{URL: "http://prometheus.monitoring:9090", Query: `up{job="{{.Name}}"}`,
			Step: metav1.Duration{Duration: time.Minute}, RefreshInterval: metav1.Duration{Duration: 5 * time.Minute},
			MaxQueriesPerInterval: 100, Timeout: metav1.Duration{Duration: 10 * time.Second}, MaxResponseBytes: 8 << 20}
	}
	p := "args.history.prometheus."
	tests := []struct {
		name    string
		change  func(*config.PrometheusHistory)
		wantErr []string
	}{
		{"defaults are valid", func(*config.PrometheusHistory) {}, nil},
		{"https is fine", func(a *config.PrometheusHistory) { a.URL = "https://thanos.example/prefix" }, nil},
		{"no url", func(a *config.PrometheusHistory) { a.URL = "" }, []string{p + "url", "Required"}},
		{"relative url", func(a *config.PrometheusHistory) { a.URL = "prometheus:9090" }, []string{p + "url", "absolute http or https"}},
		{"ftp url", func(a *config.PrometheusHistory) { a.URL = "ftp://x" }, []string{p + "url"}},
		{"no query", func(a *config.PrometheusHistory) { a.Query = "" }, []string{p + "query"}},
		{"broken template", func(a *config.PrometheusHistory) { a.Query = "up{{.Name" }, []string{p + "query", "unclosed action"}},
		{"zero step", func(a *config.PrometheusHistory) { a.Step.Duration = 0 }, []string{p + "step"}},
		{"too many points per query", func(a *config.PrometheusHistory) { a.Step.Duration = 100 * time.Millisecond }, []string{p + "step", "11000 points"}},
		{"zero interval", func(a *config.PrometheusHistory) { a.RefreshInterval.Duration = 0 }, []string{p + "refreshInterval"}},
		{"no budget", func(a *config.PrometheusHistory) { a.MaxQueriesPerInterval = 0 }, []string{p + "maxQueriesPerInterval"}},
		{"zero timeout", func(a *config.PrometheusHistory) { a.Timeout.Duration = 0 }, []string{p + "timeout"}},
		{"timeout over the interval", func(a *config.PrometheusHistory) { a.Timeout.Duration = time.Hour }, []string{p + "timeout", "refreshInterval"}},
		{"tiny response cap", func(a *config.PrometheusHistory) { a.MaxResponseBytes = 10 }, []string{p + "maxResponseBytes"}},
		{"redirects to any host", func(a *config.PrometheusHistory) { a.Redirects = "Any" }, []string{p + "redirects", "None"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := validSteadiness()
			a.History.Prometheus = valid()
			tt.change(a.History.Prometheus)
			check(t, ValidateSteadinessArgs(field.NewPath("args"), &a), tt.wantErr)
		})
	}
}
