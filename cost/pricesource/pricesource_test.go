package pricesource

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/cost/pricesource/azure"
	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
)

var update = flag.Bool("update", false, "rewrite testdata/refreshed.golden.yaml")

// fixtures serves the recorded responses of both APIs (the azure and aws
// packages' testdata) from one test server: Azure under /api/retail/prices,
// the AWS bulk files under /offers/.
func fixtures(t testing.TB) *httptest.Server {
	t.Helper()
	awsFiles := map[string]string{
		"/offers/v1.0/aws/AmazonEC2/current/region_index.json":           "region_index-AmazonEC2.json",
		"/offers/v1.0/aws/AmazonECS/current/region_index.json":           "region_index-AmazonECS.json",
		"/offers/v1.0/aws/AmazonEC2/20261127194658/us-east-1/index.json": "ec2-us-east-1.json",
		"/offers/v1.0/aws/AmazonECS/20261120172113/us-east-1/index.json": "ecs-us-east-1.json",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := awsFiles[r.URL.Path]; ok {
			http.ServeFile(w, r, filepath.Join("aws", "testdata", name))
			return
		}
		if r.URL.Path != "/api/retail/prices" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		file := "vms-eastus-page1.json"
		switch {
		case strings.Contains(q.Get("$filter"), "'Container Instances'"):
			file = "aci-eastus.json"
		case q.Get("$skip") == "6":
			file = "vms-eastus-page2.json"
		}
		http.ServeFile(w, r, filepath.Join("azure", "testdata", file))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func config(srv *httptest.Server) Config {
	return Config{
		AWS:   &Source{Region: "us-east-1", Endpoint: srv.URL},
		Azure: &Source{Region: "eastus", Endpoint: srv.URL + "/api/retail/prices"},
		Now:   func() time.Time { return time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC) },
	}
}

func fetcher() *httpfetch.Fetcher {
	return httpfetch.New(httpfetch.Options{Timeout: 5 * time.Second, Retries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
}

// TestRefreshGolden refreshes the embedded catalog from the recorded
// responses: the written catalog is the golden file, loads with the strict
// loader into the same catalog, and has the fetched prices.
func TestRefreshGolden(t *testing.T) {
	srv := fixtures(t)
	r, err := Refresh(context.Background(), fetcher(), cost.Default(), config(srv))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "refreshed.golden.yaml")
	if *update {
		if err := os.WriteFile(golden, r.YAML, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(r.YAML)); diff != "" {
		t.Errorf("refreshed catalog (-want +got):\n%s", diff)
	}
	// Round trip: the file loads strictly into the catalog returned.
	loaded, err := cost.LoadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.Catalog, loaded, cmpopts.IgnoreUnexported(cost.Catalog{})); diff != "" {
		t.Errorf("loaded golden file (-returned +loaded):\n%s", diff)
	}
	c := r.Catalog
	if c.Updated != "2026-12-01" {
		t.Errorf("updated = %q; want the day of the refresh", c.Updated)
	}
	aci, _ := c.Serverless("aci")
	fargate, _ := c.Serverless("fargate")
	m5, _ := c.InstanceType("m5.xlarge")
	d4, _ := c.InstanceType("Standard_D4s_v5")
	type prices struct {
		ACI, Fargate [2]float64
		M5, D4       map[cost.PricingOption]float64
		ACISpot      float64
	}
	got := prices{
		ACI: [2]float64{aci.VCPUHourUSD, aci.GiBHourUSD}, Fargate: [2]float64{fargate.VCPUHourUSD, fargate.GiBHourUSD},
		M5: m5.HourlyUSD, D4: d4.HourlyUSD, ACISpot: aci.SpotDiscount,
	}
	wantPrices := prices{
		ACI:     [2]float64{0.0405, 0.00445 * 1.073741824},
		Fargate: [2]float64{0.04048, 0.004445},
		M5:      map[cost.PricingOption]float64{cost.OnDemand: 0.192, cost.Reserved: 0.119, cost.Spot: 0.072}, // Spot kept
		D4:      map[cost.PricingOption]float64{cost.OnDemand: 0.188, cost.Reserved: 1007.4 / 8760, cost.Spot: 0.0376},
		ACISpot: 0.7, // kept: the API does not give it
	}
	if diff := cmp.Diff(wantPrices, got, cmpopts.EquateApprox(1e-7, 0)); diff != "" {
		t.Errorf("prices (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(m5.Sources[1], "Kept from the catalog of 2026-11-22: Spot") {
		t.Errorf("m5.xlarge sources do not say Spot was kept: %q", m5.Sources)
	}
}

// TestRefreshTwice: refreshing a refreshed catalog gives the same bytes
// (sources are replaced, not piled up).
func TestRefreshTwice(t *testing.T) {
	srv := fixtures(t)
	first, err := Refresh(context.Background(), fetcher(), cost.Default(), config(srv))
	if err != nil {
		t.Fatal(err)
	}
	second, err := Refresh(context.Background(), fetcher(), first.Catalog, config(srv))
	if err != nil {
		t.Fatal(err)
	}
	// The kept line now names the first refresh's date, the same day.
	if diff := cmp.Diff(string(first.YAML), string(second.YAML)); diff != "" {
		t.Errorf("second refresh (-first +second):\n%s", diff)
	}
}

func TestRefreshFailsAsAWhole(t *testing.T) {
	srv := fixtures(t)
	cfg := config(srv)
	cfg.AWS.Endpoint = srv.URL + "/missing"
	_, err := Refresh(context.Background(), fetcher(), cost.Default(), cfg)
	if err == nil || !strings.Contains(err.Error(), "aws prices") || !strings.Contains(err.Error(), "404") {
		t.Fatalf("Refresh with the AWS files missing: %v", err)
	}
	if _, err := Refresh(context.Background(), fetcher(), cost.Default(), Config{}); err == nil {
		t.Error("Refresh with no source succeeded")
	}
}

func TestWriteFile(t *testing.T) {
	srv := fixtures(t)
	r, err := Refresh(context.Background(), fetcher(), cost.Default(), config(srv))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), DatedName(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)))
	if err := WriteFile(path, r); err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "prices-2026-12-01.yaml" {
		t.Errorf("dated name %q", filepath.Base(path))
	}
	if _, err := cost.LoadFile(path); err != nil {
		t.Errorf("written file does not load: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestApplyKeptPricesSaySo: an entry whose prices no source refreshed
// (an Azure answer without ACI's meters, an instance type not in the
// list, a backend no list covers) gets a first source line naming the
// date its prices are from, and a line in Changes; the catalog is re-dated
// but nothing passes an old price off as checked today. A second refresh
// without them keeps the original date.
func TestApplyKeptPricesSaySo(t *testing.T) {
	base := cost.Default()
	day1 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	noACI := &azure.Prices{Region: "eastus", VMs: map[string]map[cost.PricingOption]float64{}}
	r, err := Apply(base, nil, noACI, day1)
	if err != nil {
		t.Fatal(err)
	}
	first := func(c *cost.Catalog) map[string]string {
		out := map[string]string{}
		for _, sp := range c.ServerlessPrices {
			out[sp.Name] = sp.Sources[0]
		}
		for _, it := range c.Dedicated.InstanceTypes {
			if it.Name == "m5.xlarge" || it.Name == "Standard_D4s_v5" {
				out[it.Name] = it.Sources[0]
			}
		}
		return out
	}
	baseDate := base.Updated
	want := map[string]string{
		"aci":             "Kept from the catalog of " + baseDate + ": all prices (not in the Azure Retail Prices API's answer, region eastus)",
		"fargate":         "Kept from the catalog of " + baseDate + ": all prices (aws prices were not fetched)",
		"cloudrun":        "Kept from the catalog of " + baseDate + ": all prices (no price list is read for it)",
		"m5.xlarge":       "Kept from the catalog of " + baseDate + ": all prices (aws prices were not fetched)",
		"Standard_D4s_v5": "Kept from the catalog of " + baseDate + ": all prices (not in the Azure Retail Prices API's answer, region eastus)",
	}
	if diff := cmp.Diff(want, first(r.Catalog)); diff != "" {
		t.Errorf("first source lines (-want +got):\n%s", diff)
	}
	if r.Catalog.Updated != "2026-12-01" {
		t.Errorf("updated = %q", r.Catalog.Updated)
	}
	aci, _ := r.Catalog.Serverless("aci")
	baseACI, _ := base.Serverless("aci")
	if diff := cmp.Diff(baseACI.Sources, aci.Sources[1:]); diff != "" {
		t.Errorf("aci's own sources must follow unchanged (-base +got):\n%s", diff)
	}
	wantChange := "aci: not in the Azure Retail Prices API's answer, region eastus; all its prices kept from the catalog of " + baseDate
	if !slices.Contains(r.Changes, wantChange) {
		t.Errorf("Changes lack %q:\n%s", wantChange, strings.Join(r.Changes, "\n"))
	}

	// Again a week later from the refreshed catalog: the date stays.
	again, err := Apply(r.Catalog, nil, noACI, day1.AddDate(0, 0, 7))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, first(again.Catalog)); diff != "" {
		t.Errorf("first source lines after a second refresh (-want +got):\n%s", diff)
	}
	aci2, _ := again.Catalog.Serverless("aci")
	if diff := cmp.Diff(aci.Sources, aci2.Sources); diff != "" {
		t.Errorf("a second refresh changed aci's sources (-first +second):\n%s", diff)
	}
}
