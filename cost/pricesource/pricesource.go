// Package pricesource refreshes a price catalog from the providers' public
// price lists: the Azure Retail Prices API (ACI and Azure VM sizes) and the
// AWS Price List bulk offer files (Fargate and EC2 instance types). It maps
// what they give onto a base catalog and returns a new, dated catalog in
// the same format; every price they do not give keeps the base's value, and
// each entry's sources say which is which.
//
// Every request goes through httpfetch: retries with jitter on 429/5xx
// honouring Retry-After, a timeout per attempt, a size cap, ETag and
// Last-Modified validators. Neither API needs credentials.
package pricesource

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/cost/pricesource/aws"
	"github.com/spillway-dev/spillway/cost/pricesource/azure"
	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
)

// Source is one provider's region and endpoint.
type Source struct {
	// Region as the provider spells it: us-east-1 (AWS), eastus (Azure).
	Region string
	// Endpoint replaces the public one (a mirror, a proxy, a test server).
	Endpoint string
}

// Config says what to refresh. A nil source is not fetched.
type Config struct {
	AWS   *Source
	Azure *Source
	// Now dates the catalog (default time.Now).
	Now func() time.Time
}

// Result is a refreshed catalog.
type Result struct {
	// Catalog is loaded and validated as cost.Load would from YAML.
	Catalog *cost.Catalog
	// YAML is its text, as written by WriteFile.
	YAML []byte
	// Changes says, one line each, what was updated and what was kept.
	Changes []string

	fresh map[string]bool // entries (serverless or instance type names) refreshed
}

// Refresh fetches the configured sources through f and maps them onto
// base. It fails as a whole: when any source fails, nothing is returned
// but the error, and the caller keeps what it had.
func Refresh(ctx context.Context, f *httpfetch.Fetcher, base *cost.Catalog, cfg Config) (*Result, error) {
	if cfg.AWS == nil && cfg.Azure == nil {
		return nil, errors.New("no price source configured (want aws, azure or both)")
	}
	now := time.Now
	if cfg.Now != nil {
		now = cfg.Now
	}
	var awsPrices *aws.Prices
	var azurePrices *azure.Prices
	if s := cfg.AWS; s != nil {
		endpoint := orDefault(s.Endpoint, aws.DefaultEndpoint)
		p, err := aws.Fetch(ctx, f, endpoint, s.Region, namesOf(base, "aws"))
		if err != nil {
			return nil, fmt.Errorf("aws prices: %w", err)
		}
		awsPrices = p
	}
	if s := cfg.Azure; s != nil {
		endpoint := orDefault(s.Endpoint, azure.DefaultEndpoint)
		p, err := azure.Fetch(ctx, f, endpoint, s.Region, namesOf(base, "azure"))
		if err != nil {
			return nil, fmt.Errorf("azure prices: %w", err)
		}
		azurePrices = p
	}
	return Apply(base, awsPrices, azurePrices, now().UTC())
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// namesOf lists the base's instance types of provider, in catalog order.
func namesOf(c *cost.Catalog, provider string) []string {
	var out []string
	for _, t := range c.Dedicated.InstanceTypes {
		if t.Provider == provider {
			out = append(out, t.Name)
		}
	}
	return out
}
