package aws

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"

	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
)

// DefaultEndpoint serves the public bulk offer files.
const DefaultEndpoint = "https://pricing.us-east-1.amazonaws.com"

// The offers this package reads.
const (
	OfferEC2 = "AmazonEC2"
	OfferECS = "AmazonECS" // Fargate's rates
)

var regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// RegionIndex is an offer's region_index.json.
type RegionIndex struct {
	Regions map[string]struct {
		RegionCode        string `json:"regionCode"`
		CurrentVersionURL string `json:"currentVersionUrl"`
	} `json:"regions"`
}

// ParseRegionIndex decodes a region_index.json.
func ParseRegionIndex(r io.Reader) (*RegionIndex, error) {
	dec := httpfetch.NewJSONDecoder(r, httpfetch.DefaultMaxJSONValueBytes) // a region index is ~10 KB
	var ix RegionIndex
	if err := dec.Decode(&ix); err != nil {
		return nil, at(dec, err)
	}
	if ix.Regions == nil {
		return nil, fmt.Errorf("not a region index: no \"regions\"")
	}
	return &ix, nil
}

// OfferURL finds the current offer file of offer in region through the
// offer's region index on endpoint.
func OfferURL(ctx context.Context, f *httpfetch.Fetcher, endpoint, offer, region string) (string, error) {
	if !regionName.MatchString(region) {
		return "", fmt.Errorf("aws region %q: want a region code such as us-east-1", region)
	}
	base := strings.TrimSuffix(endpoint, "/")
	ix, err := httpfetch.Fetch(ctx, f, base+"/offers/v1.0/aws/"+offer+"/current/region_index.json", ParseRegionIndex)
	if err != nil {
		return "", fmt.Errorf("aws %s region index: %w", offer, err)
	}
	r, ok := ix.Regions[region]
	if !ok || r.CurrentVersionURL == "" {
		return "", fmt.Errorf("aws %s: region %q is not in the region index", offer, region)
	}
	u, err := url.Parse(r.CurrentVersionURL)
	if err != nil || u.IsAbs() || !strings.HasPrefix(u.Path, "/") {
		// Only a path on the endpoint is followed, so a mirror serves all.
		return "", fmt.Errorf("aws %s region index: currentVersionUrl %q is not a path", offer, r.CurrentVersionURL)
	}
	return base + u.Path, nil
}

// Prices are what the offer files say for one region.
type Prices struct {
	Region string
	// Fargate's rates (nil when not fetched).
	Fargate *FargateRates
	// EC2 maps an instance type to its hourly prices by option.
	EC2 map[string]map[cost.PricingOption]float64
	// The offers' versions and publication dates, for the sources.
	FargateVersion, EC2Version string
}

// Fetch reads Fargate's rates from the ECS offer and the prices of the
// instance types types from the EC2 offer of region (streamed; only those
// types are kept). With no types, the EC2 offer is not fetched.
func Fetch(ctx context.Context, f *httpfetch.Fetcher, endpoint, region string, types []string) (*Prices, error) {
	p := &Prices{Region: region}
	ecsURL, err := OfferURL(ctx, f, endpoint, OfferECS, region)
	if err != nil {
		return nil, err
	}
	ecs, err := httpfetch.FetchKeyed(ctx, f, ecsURL, region, func(r io.Reader) (*Offer, error) { return ParseOffer(r, FargateFilter(region)) })
	if err != nil {
		return nil, fmt.Errorf("aws %s offer: %w", OfferECS, err)
	}
	if p.Fargate, err = FargatePrices(ecs); err != nil {
		return nil, fmt.Errorf("aws %s offer %s: %w", OfferECS, ecsURL, err)
	}
	p.FargateVersion = describe(ecs)
	if len(types) == 0 {
		return p, nil
	}
	ec2URL, err := OfferURL(ctx, f, endpoint, OfferEC2, region)
	if err != nil {
		return nil, err
	}
	ec2, err := httpfetch.FetchKeyed(ctx, f, ec2URL, strings.Join(types, ","), func(r io.Reader) (*Offer, error) { return ParseOffer(r, EC2Filter(region, types)) })
	if err != nil {
		return nil, fmt.Errorf("aws %s offer: %w", OfferEC2, err)
	}
	if p.EC2, err = EC2Prices(ec2); err != nil {
		return nil, fmt.Errorf("aws %s offer %s: %w", OfferEC2, ec2URL, err)
	}
	p.EC2Version = describe(ec2)
	return p, nil
}

func describe(o *Offer) string {
	return fmt.Sprintf("%s version %s, published %s", o.OfferCode, o.Version, o.PublicationDate)
}
