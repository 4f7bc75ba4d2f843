package aws

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

	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
)

// server serves the recorded offer files of testdata under the bulk API's
// paths.
func server(t testing.TB, requests *atomic.Int32) *httptest.Server {
	t.Helper()
	files := map[string]string{
		"/offers/v1.0/aws/AmazonEC2/current/region_index.json":           "region_index-AmazonEC2.json",
		"/offers/v1.0/aws/AmazonECS/current/region_index.json":           "region_index-AmazonECS.json",
		"/offers/v1.0/aws/AmazonEC2/20261127194658/us-east-1/index.json": "ec2-us-east-1.json",
		"/offers/v1.0/aws/AmazonECS/20261120172113/us-east-1/index.json": "ecs-us-east-1.json",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests != nil {
			requests.Add(1)
		}
		name, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, filepath.Join("testdata", name))
	}))
	t.Cleanup(srv.Close)
	return srv
}

var catalogTypes = []string{"m5.large", "m5.xlarge", "m5.2xlarge", "m6i.xlarge"}

func TestFetchRecorded(t *testing.T) {
	var requests atomic.Int32
	srv := server(t, &requests)
	f := httpfetch.New(httpfetch.Options{Timeout: 5 * time.Second})
	got, err := Fetch(context.Background(), f, srv.URL, "us-east-1", catalogTypes)
	if err != nil {
		t.Fatal(err)
	}
	want := &Prices{
		Region:  "us-east-1",
		Fargate: &FargateRates{VCPUHourUSD: 0.04048, GBHourUSD: 0.004445},
		EC2: map[string]map[cost.PricingOption]float64{
			"m5.large":   {cost.OnDemand: 0.096, cost.Reserved: 0.06},
			"m5.xlarge":  {cost.OnDemand: 0.192, cost.Reserved: 0.119},
			"m5.2xlarge": {cost.OnDemand: 0.384},
			"m6i.xlarge": {cost.OnDemand: 0.192, cost.Reserved: 0.1208},
		},
		FargateVersion: "AmazonECS version 20261120172113, published 2026-11-20T17:21:13Z",
		EC2Version:     "AmazonEC2 version 20261127194658, published 2026-11-27T19:46:58Z",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Fetch (-want +got):\n%s", diff)
	}
	if n := requests.Load(); n != 4 {
		t.Errorf("%d requests; want 4 (two region indexes, two offers)", n)
	}
	if _, err := Fetch(context.Background(), f, srv.URL, "ap-south-9", catalogTypes); err == nil || !strings.Contains(err.Error(), `region "ap-south-9" is not in the region index`) {
		t.Errorf("unknown region: error %v", err)
	}
	if _, err := Fetch(context.Background(), f, srv.URL, "../etc", nil); err == nil || !strings.Contains(err.Error(), "want a region code") {
		t.Errorf("odd region: error %v", err)
	}
}

func TestParseOfferErrors(t *testing.T) {
	good, err := os.ReadFile("testdata/ecs-us-east-1.json")
	if err != nil {
		t.Fatal(err)
	}
	keepAll := func(*Product) bool { return true }
	tests := map[string]struct{ body, want string }{
		"truncated":            {string(good[:len(good)*2/3]), "JSON ends early"},
		"empty":                {"", "JSON ends early"},
		"not an object":        {`[]`, `want "{"`},
		"terms first":          {`{"offerCode": "X", "terms": {}, "products": {}}`, `"terms" before "products"`},
		"no offerCode":         {`{"products": {}}`, `no "offerCode"`},
		"no products":          {`{"offerCode": "X"}`, `no "products"`},
		"product of bad shape": {`{"offerCode": "X", "products": {"A": {"attributes": []}}}`, `products["A"]`},
		"trailing data":        {`{"offerCode": "X", "products": {}} {}`, "trailing data"},
	}
	for name, tt := range tests {
		_, err := ParseOffer(strings.NewReader(tt.body), keepAll)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ParseOffer error = %v; want %q", name, err, tt.want)
		}
	}
}

func TestPriceErrors(t *testing.T) {
	term := func(unit, usd string) []Term {
		return []Term{{PriceDimensions: map[string]PriceDimension{"r": {Unit: unit, PricePerUnit: map[string]string{"USD": usd}}}}}
	}
	o := &Offer{OfferCode: "AmazonEC2", Products: map[string]*Product{"A": {Attributes: map[string]string{"instanceType": "m5.xlarge"}}},
		Terms: map[string]map[string][]Term{"OnDemand": {"A": term("Hrs", "cheap")}}}
	if _, err := EC2Prices(o); err == nil || !strings.Contains(err.Error(), `USD "cheap" is not a price`) {
		t.Errorf("EC2Prices of a bad price: %v", err)
	}
	o.Terms["OnDemand"]["A"] = term("Hrs", "0.2")
	o.Products["B"] = &Product{Attributes: map[string]string{"instanceType": "m5.xlarge"}}
	o.Terms["OnDemand"]["B"] = term("Hrs", "0.3")
	if _, err := EC2Prices(o); err == nil || !strings.Contains(err.Error(), "give different prices") {
		t.Errorf("EC2Prices of two prices for one type: %v", err)
	}
	ecs := &Offer{OfferCode: "AmazonECS", Products: map[string]*Product{"A": {Attributes: map[string]string{"usagetype": "USE1-Fargate-GB-Hours"}}},
		Terms: map[string]map[string][]Term{"OnDemand": {"A": term("hours", "0.004")}}}
	if _, err := FargatePrices(ecs); err == nil || !strings.Contains(err.Error(), "no on-demand rate") {
		t.Errorf("FargatePrices without a vCPU rate: %v", err)
	}
}

func FuzzParseOffer(f *testing.F) {
	for _, name := range []string{"ecs-us-east-1.json", "ec2-us-east-1.json", "region_index-AmazonEC2.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"offerCode":"X","products":{"A":{"attributes":{"instanceType":"m5.xlarge","operatingSystem":"Linux","tenancy":"Shared","preInstalledSw":"NA"},"productFamily":"Compute Instance"}},"terms":{"OnDemand":{"A":{"t":{"priceDimensions":{"d":{"unit":"Hrs","pricePerUnit":{"USD":"1e400"}}}}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, keep := range []func(*Product) bool{EC2Filter("us-east-1", catalogTypes), FargateFilter("us-east-1")} {
			o, err := ParseOffer(strings.NewReader(string(data)), keep)
			if err != nil {
				continue
			}
			for sku := range o.Terms["OnDemand"] {
				if o.Products[sku] == nil {
					t.Fatalf("terms kept for sku %q, which the filter dropped", sku)
				}
			}
			if prices, err := EC2Prices(o); err == nil {
				for it, opts := range prices {
					for opt, usd := range opts {
						if !(usd > 0 && usd <= 1e6) {
							t.Fatalf("%s %s: price %v", it, opt, usd)
						}
					}
				}
			}
			_, _ = FargatePrices(o)
		}
	})
}

// The validator cache answers a 304 with the parse of the same filter
// only: asking for more instance types fetches the offer again.
func TestFetchCacheKeepsFiltersApart(t *testing.T) {
	srv := server(t, nil) // http.ServeFile answers If-Modified-Since with 304
	f := httpfetch.New(httpfetch.Options{Timeout: 5 * time.Second})
	one, err := Fetch(context.Background(), f, srv.URL, "us-east-1", []string{"m5.large"})
	if err != nil {
		t.Fatal(err)
	}
	all, err := Fetch(context.Background(), f, srv.URL, "us-east-1", catalogTypes)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Fetch(context.Background(), f, srv.URL, "us-east-1", catalogTypes)
	if err != nil {
		t.Fatal(err)
	}
	if len(one.EC2) != 1 || len(all.EC2) != 4 || len(again.EC2) != 4 {
		t.Errorf("types kept: %d, %d, %d; want 1, 4, 4", len(one.EC2), len(all.EC2), len(again.EC2))
	}
}
