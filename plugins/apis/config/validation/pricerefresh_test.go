package validation

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/spillway-dev/spillway/plugins/apis/config"
)

func TestValidatePriceRefresh(t *testing.T) {
	refresh := func() *config.PriceRefreshArgs {
		return &config.PriceRefreshArgs{Interval: metav1.Duration{Duration: 6 * time.Hour}, Timeout: metav1.Duration{Duration: time.Minute},
			MaxResponseBytes: 1 << 30, AWS: &config.PriceSourceArgs{Region: "us-east-1"}, Azure: &config.PriceSourceArgs{Region: "eastus", Endpoint: "https://mirror.example/prices"}}
	}
	tests := []struct {
		name    string
		change  func(*config.BurstCostArgs)
		wantErr []string
	}{
		{"valid", func(a *config.BurstCostArgs) { a.PriceRefresh = refresh() }, nil},
		{"reload off", func(a *config.BurstCostArgs) { a.PriceCatalogReloadInterval.Duration = 0 }, nil},
		{"reload too often", func(a *config.BurstCostArgs) { a.PriceCatalogReloadInterval.Duration = time.Millisecond }, []string{"args.priceCatalogReloadInterval"}},
		{"interval under a minute", func(a *config.BurstCostArgs) {
			a.PriceRefresh = refresh()
			a.PriceRefresh.Interval.Duration = time.Second
		}, []string{"args.priceRefresh.interval"}},
		{"no timeout", func(a *config.BurstCostArgs) { a.PriceRefresh = refresh(); a.PriceRefresh.Timeout.Duration = 0 }, []string{"args.priceRefresh.timeout"}},
		{"tiny cap", func(a *config.BurstCostArgs) { a.PriceRefresh = refresh(); a.PriceRefresh.MaxResponseBytes = 10 }, []string{"args.priceRefresh.maxResponseBytes"}},
		{"no redirects", func(a *config.BurstCostArgs) { a.PriceRefresh = refresh(); a.PriceRefresh.Redirects = "None" }, nil},
		{"redirects to any host", func(a *config.BurstCostArgs) { a.PriceRefresh = refresh(); a.PriceRefresh.Redirects = "Any" }, []string{"args.priceRefresh.redirects", "SameHost"}},
		{"no source", func(a *config.BurstCostArgs) {
			a.PriceRefresh = refresh()
			a.PriceRefresh.AWS, a.PriceRefresh.Azure = nil, nil
		}, []string{"args.priceRefresh: Required"}},
		{"azure name for aws", func(a *config.BurstCostArgs) { a.PriceRefresh = refresh(); a.PriceRefresh.AWS.Region = "eastus" }, []string{"args.priceRefresh.aws.region"}},
		{"endpoint not a URL, not echoed", func(a *config.BurstCostArgs) {
			a.PriceRefresh = refresh()
			a.PriceRefresh.Azure.Endpoint = "ftp://user:secret@host"
		}, []string{"args.priceRefresh.azure.endpoint", "(not shown)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := validBurstCost()
			a.PriceCatalogReloadInterval.Duration = time.Minute
			tt.change(&a)
			err := ValidateBurstCostArgs(field.NewPath("args"), &a)
			check(t, err, tt.wantErr)
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("error shows the endpoint's password: %v", err)
			}
		})
	}
}
