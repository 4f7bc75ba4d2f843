package azure

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
)

// Server serves the recorded pages of testdata as the Retail Prices API
// does: by $filter, and the second VM page for $skip=6.
func Server(t testing.TB, dir string, requests *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests != nil {
			requests.Add(1)
		}
		q := r.URL.Query()
		file := "vms-eastus-page1.json"
		switch {
		case q.Get("currencyCode") == "":
			http.Error(w, "currencyCode missing", http.StatusBadRequest)
			return
		case strings.Contains(q.Get("$filter"), "'Container Instances'"):
			file = "aci-eastus.json"
		case q.Get("$skip") == "6":
			file = "vms-eastus-page2.json"
		}
		http.ServeFile(w, r, filepath.Join(dir, file))
	}))
	t.Cleanup(srv.Close)
	return srv
}

var skus = []string{"Standard_D2s_v5", "Standard_D4s_v5", "Standard_D8s_v5"}

func TestFetchRecorded(t *testing.T) {
	var requests atomic.Int32
	srv := Server(t, "testdata", &requests)
	got, err := Fetch(context.Background(), httpfetch.New(httpfetch.Options{Timeout: 5 * time.Second}), srv.URL+"/api/retail/prices", "eastus", skus)
	if err != nil {
		t.Fatal(err)
	}
	want := &Prices{
		Region: "eastus",
		ACI:    &ACIRates{VCPUHourUSD: 0.0405, GBHourUSD: 0.00445, GiBHourUSD: 0.00445 * 1.073741824},
		VMs: map[string]map[cost.PricingOption]float64{
			"Standard_D2s_v5": {cost.OnDemand: 0.094, cost.Reserved: 503.7 / 8760},
			"Standard_D4s_v5": {cost.OnDemand: 0.188, cost.Spot: 0.0376, cost.Reserved: 1007.4 / 8760},
			"Standard_D8s_v5": {cost.OnDemand: 0.376},
		},
		// Windows software, spot and GPU ACI meters, the older vCPU price is
		// not skipped but outranked; Low Priority, Windows, 3-year, Dev/Test.
		Skipped: 7,
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("Fetch (-want +got):\n%s", diff)
	}
	if n := requests.Load(); n != 3 {
		t.Errorf("%d requests; want 3 (ACI, VM page 1, VM page 2)", n)
	}
}

func TestParsePageErrors(t *testing.T) {
	good, err := os.ReadFile("testdata/aci-eastus.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		body, want string
	}{
		"truncated":      {string(good[:len(good)/2]), "JSON ends early"},
		"not an object":  {`[1, 2]`, "invalid JSON"},
		"no Items":       {`{"Count": 0}`, `no "Items" list`},
		"trailing data":  {`{"Items": []} {"Items": []}`, "trailing data"},
		"wrong type":     {`{"Items": [{"retailPrice": "cheap"}]}`, "invalid JSON"},
		"empty response": {``, "JSON ends early"},
	}
	for name, tt := range tests {
		_, err := ParsePage(strings.NewReader(tt.body))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ParsePage error = %v; want %q", name, err, tt.want)
		}
	}
}

func TestCollectErrors(t *testing.T) {
	tests := map[string]struct {
		item Item
		want string
	}{
		"other currency": {Item{CurrencyCode: "EUR", ArmRegionName: "eastus", ServiceName: ACIService, MeterName: ACIVCPUMeter, RetailPrice: 1, UnitOfMeasure: "1 Hour"}, `currency "EUR"`},
		"bad unit":       {Item{ArmRegionName: "eastus", ServiceName: ACIService, MeterName: ACIVCPUMeter, Type: "Consumption", RetailPrice: 1, UnitOfMeasure: "1 GB"}, "not a duration"},
		"negative":       {Item{ArmRegionName: "eastus", ServiceName: ACIService, MeterName: ACIVCPUMeter, RetailPrice: -1}, "out of range"},
		"one ACI meter":  {Item{ArmRegionName: "eastus", ServiceName: ACIService, MeterName: ACIVCPUMeter, Type: "Consumption", RetailPrice: 1, UnitOfMeasure: "1 Hour"}, "only one of the meters"},
	}
	for name, tt := range tests {
		_, err := Collect([]Item{tt.item}, "eastus", nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Collect error = %v; want %q", name, err, tt.want)
		}
	}
}

func TestHourly(t *testing.T) {
	for unit, want := range map[string]float64{"1 Hour": 2, "1 Second": 7200, "100 Seconds": 72, "1 GB Hour": 2, "1/Hour": 2, "10 Minutes": 12} {
		got, err := hourly(2, unit)
		if err != nil || got != want {
			t.Errorf("hourly(2, %q) = %v, %v; want %v", unit, got, err, want)
		}
	}
}

func TestFetchRejectsOddNames(t *testing.T) {
	f := httpfetch.New(httpfetch.Options{})
	if _, err := Fetch(context.Background(), f, "http://127.0.0.1:1", "east'us", nil); err == nil {
		t.Error("a region with a quote was accepted")
	}
	if _, err := Fetch(context.Background(), f, "http://127.0.0.1:1", "eastus", []string{"x' or '1' eq '1"}); err == nil {
		t.Error("a VM size with a quote was accepted")
	}
}

func FuzzParsePage(f *testing.F) {
	for _, name := range []string{"aci-eastus.json", "vms-eastus-page1.json", "vms-eastus-page2.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"Items": [{"retailPrice": 1e308, "unitOfMeasure": "0 Hour"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePage(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		// Whatever parses must collect without panicking, and any price
		// collected must be finite and non-negative.
		got, err := Collect(p.Items, "eastus", skus)
		if err != nil {
			return
		}
		for _, opts := range got.VMs {
			for _, usd := range opts {
				if !(usd >= 0) || usd > 1e12 {
					t.Fatalf("collected price %v", usd)
				}
			}
		}
	})
}
