package azure

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
)

// DefaultEndpoint is the public Retail Prices API.
const DefaultEndpoint = "https://prices.azure.com/api/retail/prices"

// MaxPages bounds how many NextPageLinks one query follows (the API
// returns 100 items a page; a region's ACI and VM queries need a few).
const MaxPages = 200

// skusPerQuery keeps each $filter short.
const skusPerQuery = 10

// odataValue matches what may appear inside a quoted OData literal here.
var odataValue = regexp.MustCompile(`^[A-Za-z0-9_.\- ]+$`)

// Fetch queries endpoint for region's ACI meters and the VM sizes skus,
// following NextPageLink, and collects their prices. Every page goes
// through f (retries, timeouts, size cap, validator cache).
func Fetch(ctx context.Context, f *httpfetch.Fetcher, endpoint, region string, skus []string) (*Prices, error) {
	if !odataValue.MatchString(region) {
		return nil, fmt.Errorf("azure region %q: want letters and digits, such as eastus", region)
	}
	filters := []string{fmt.Sprintf("serviceName eq '%s' and armRegionName eq '%s' and priceType eq 'Consumption'", ACIService, region)}
	for start := 0; start < len(skus); start += skusPerQuery {
		chunk := skus[start:min(start+skusPerQuery, len(skus))]
		var ors []string
		for _, s := range chunk {
			if !odataValue.MatchString(s) {
				return nil, fmt.Errorf("azure VM size %q: not a valid armSkuName", s)
			}
			ors = append(ors, fmt.Sprintf("armSkuName eq '%s'", s))
		}
		filters = append(filters, fmt.Sprintf("serviceName eq '%s' and armRegionName eq '%s' and (%s)", VMService, region, strings.Join(ors, " or ")))
	}
	var items []Item
	budget := int64(MaxItemBytesPerFetch)
	for _, filter := range filters {
		got, err := fetchAll(ctx, f, endpoint, filter, &budget)
		if err != nil {
			return nil, err
		}
		items = append(items, got...)
	}
	return Collect(items, region, skus)
}

// fetchAll fetches a query's pages. A NextPageLink is followed on
// endpoint itself (its query only), so that a mirror or proxy, and not
// the host the link names, serves every page.
// Each page's items are taken from budget (bytes of JSON); running out is
// an error.
func fetchAll(ctx context.Context, f *httpfetch.Fetcher, endpoint, filter string, budget *int64) ([]Item, error) {
	base, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("azure endpoint %q: %w", endpoint, err)
	}
	q := base.Query()
	q.Set("currencyCode", "USD")
	q.Set("$filter", filter)
	base.RawQuery = q.Encode()
	next := base.String()
	var items []Item
	for page := 0; next != ""; page++ {
		if page == MaxPages {
			return nil, fmt.Errorf("azure: more than %d pages for %q", MaxPages, filter)
		}
		p, err := httpfetch.Fetch(ctx, f, next, ParsePage)
		if err != nil {
			return nil, fmt.Errorf("azure retail prices, page %d: %w", page+1, err)
		}
		if p.BillingCurrency != "" && p.BillingCurrency != "USD" {
			return nil, fmt.Errorf("azure retail prices, page %d: BillingCurrency %q, want USD", page+1, p.BillingCurrency)
		}
		if *budget -= p.itemBytes; *budget < 0 {
			return nil, fmt.Errorf("azure retail prices, page %d: the answers hold more than %d bytes of items (MaxItemBytesPerFetch): not the Retail Prices API's", page+1, MaxItemBytesPerFetch)
		}
		items = append(items, p.Items...)
		next = ""
		if p.NextPageLink != "" {
			link, err := url.Parse(p.NextPageLink)
			if err != nil {
				return nil, fmt.Errorf("azure retail prices, page %d: NextPageLink %q: %w", page+1, p.NextPageLink, err)
			}
			u := *base
			u.RawQuery = link.RawQuery
			next = u.String()
		}
	}
	return items, nil
}
