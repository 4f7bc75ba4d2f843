package scheme_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/spillway-dev/spillway/plugins/apis/config"
)

// priceRefresh's fields are decoded strictly and defaulted like the rest.
func TestPriceRefreshArgs(t *testing.T) {
	cfg, err := decode(t, header+`  pluginConfig:
  - name: BurstCost
    args:
      priceCatalogFile: /etc/spillway/prices.yaml
      priceCatalogReloadInterval: 10s
      priceRefresh:
        aws: {region: us-east-1}
        azure: {region: eastus, endpoint: "https://mirror.example/api/retail/prices"}
`)
	if err != nil {
		t.Fatal(err)
	}
	got := argsOf(t, cfg, "spillway", "BurstCost").(*config.BurstCostArgs)
	want := &config.PriceRefreshArgs{
		Interval: metav1.Duration{Duration: 6 * time.Hour}, Timeout: metav1.Duration{Duration: 2 * time.Minute}, MaxResponseBytes: 1 << 30, Redirects: "SameHost",
		AWS: &config.PriceSourceArgs{Region: "us-east-1"}, Azure: &config.PriceSourceArgs{Region: "eastus", Endpoint: "https://mirror.example/api/retail/prices"},
	}
	if diff := cmp.Diff(want, got.PriceRefresh); diff != "" {
		t.Errorf("priceRefresh (-want +got):\n%s", diff)
	}
	if got.PriceCatalogReloadInterval.Duration != 10*time.Second || got.PriceCatalogFile != "/etc/spillway/prices.yaml" {
		t.Errorf("priceCatalogReloadInterval %v, priceCatalogFile %q", got.PriceCatalogReloadInterval, got.PriceCatalogFile)
	}

	_, err = decode(t, header+`  pluginConfig:
  - name: BurstCost
    args:
      priceRefresh: {intervall: 1h, aws: {region: us-east-1}}
`)
	if err == nil || !strings.Contains(err.Error(), `unknown field "priceRefresh.intervall"`) {
		t.Errorf("misspelt priceRefresh field: %v", err)
	}
}
