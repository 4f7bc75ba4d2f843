// Package azure reads prices from the Azure Retail Prices API: JSON pages
// of meters selected by an OData $filter, linked by NextPageLink, no
// credentials. It picks out Azure Container Instances' vCPU and memory
// meters and the hourly prices of the VM sizes a catalog names (pay as you
// go, Spot, 1-year reservation; Linux).
package azure

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
)

// Page is one response of the Retail Prices API.
type Page struct {
	BillingCurrency string `json:"BillingCurrency"`
	Items           []Item `json:"Items"`
	NextPageLink    string `json:"NextPageLink"`
	Count           int    `json:"Count"`

	itemBytes int64 // the JSON size of Items
}

// Item is one meter's price (the fields this package reads; the API sends
// more, which are ignored).
type Item struct {
	CurrencyCode       string  `json:"currencyCode"`
	RetailPrice        float64 `json:"retailPrice"`
	UnitOfMeasure      string  `json:"unitOfMeasure"`
	ArmRegionName      string  `json:"armRegionName"`
	ArmSkuName         string  `json:"armSkuName"`
	MeterName          string  `json:"meterName"`
	ProductName        string  `json:"productName"`
	SkuName            string  `json:"skuName"`
	ServiceName        string  `json:"serviceName"`
	Type               string  `json:"type"` // Consumption, Reservation, DevTestConsumption
	ReservationTerm    string  `json:"reservationTerm,omitempty"`
	EffectiveStartDate string  `json:"effectiveStartDate"`
	TierMinimumUnits   float64 `json:"tierMinimumUnits"`
}

// Bounds on what is kept of the API's answers, so that memory stays
// small whatever a server sends: MaxItemsPerPage items a page (the API
// sends 100), each at most MaxItemBytes of JSON (one is under 1 KB), and
// MaxItemBytesPerFetch bytes of items over all the pages of all the
// queries of one Fetch (a region's answers are a few hundred KB).
const (
	MaxItemsPerPage      = 1000
	MaxItemBytes         = 64 << 10
	MaxItemBytesPerFetch = 16 << 20
)

// ParsePage decodes one page as a stream, one item at a time: memory
// holds the items, never the page's text. A page that is not a JSON
// object, has no Items list, more than MaxItemsPerPage items or one above
// MaxItemBytes, has trailing data, or is cut short is an error with the
// byte offset.
func ParsePage(r io.Reader) (*Page, error) {
	dec := httpfetch.NewJSONDecoder(r, MaxItemBytes)
	if err := delim(dec, '{'); err != nil {
		return nil, err
	}
	p := &Page{}
	sawItems := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, decodeError(dec, err)
		}
		key, _ := tok.(string)
		switch strings.ToLower(key) { // encoding/json's matching of fields
		case "items":
			sawItems = true
			if err := p.items(dec); err != nil {
				return nil, err
			}
		case "billingcurrency":
			err = dec.Decode(&p.BillingCurrency)
		case "nextpagelink":
			var link *string // null on the last page
			err = dec.Decode(&link)
			if link != nil {
				p.NextPageLink = *link
			}
		case "count":
			err = dec.Decode(&p.Count)
		default:
			var skip json.RawMessage // one value, bounded by the decoder
			err = dec.Decode(&skip)
		}
		if err != nil {
			return nil, decodeError(dec, err)
		}
	}
	if err := delim(dec, '}'); err != nil {
		return nil, err
	}
	if !sawItems {
		return nil, errors.New("not a Retail Prices page: no \"Items\" list")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the page at byte %d", dec.InputOffset())
	}
	return p, nil
}

// items decodes the Items list, one item at a time.
func (p *Page) items(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return decodeError(dec, err)
	}
	if tok == nil {
		return errors.New("not a Retail Prices page: no \"Items\" list (null)")
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("invalid JSON near byte %d: Items must be a list, got %v", dec.InputOffset(), tok)
	}
	p.Items = []Item{}
	for dec.More() {
		if len(p.Items) == MaxItemsPerPage {
			return fmt.Errorf("more than %d items on one page near byte %d: not a Retail Prices API answer", MaxItemsPerPage, dec.InputOffset())
		}
		var it Item
		start := dec.InputOffset()
		if err := dec.Decode(&it); err != nil {
			return decodeError(dec, err)
		}
		p.itemBytes += dec.InputOffset() - start
		p.Items = append(p.Items, it)
	}
	return delim(dec, ']')
}

// delim reads the delimiter want.
func delim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return decodeError(dec, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("invalid JSON near byte %d: want %q, got %v", dec.InputOffset(), want, tok)
	}
	return nil
}

func decodeError(dec *json.Decoder, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("JSON ends early at byte %d (truncated response?): %w", dec.InputOffset(), io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("invalid JSON near byte %d: %w", dec.InputOffset(), err)
}

// hourly converts a price per unitOfMeasure ("1 Hour", "1 Second",
// "100 Seconds", "1 GB Hour", "1/Hour") to a price per hour.
func hourly(price float64, unit string) (float64, error) {
	u := strings.TrimSpace(strings.ReplaceAll(unit, "/", " "))
	fields := strings.Fields(u)
	if len(fields) < 2 {
		return 0, fmt.Errorf("unitOfMeasure %q: want a count and a time unit", unit)
	}
	n, err := strconv.ParseFloat(fields[0], 64)
	if err != nil || !(n > 0) {
		return 0, fmt.Errorf("unitOfMeasure %q: want a positive count first", unit)
	}
	per := 0.0
	switch strings.ToLower(strings.TrimSuffix(fields[len(fields)-1], "s")) {
	case "second":
		per = 1
	case "minute":
		per = 60
	case "hour":
		per = 3600
	default:
		return 0, fmt.Errorf("unitOfMeasure %q: not a duration (Second, Minute, Hour)", unit)
	}
	h := price / n * 3600 / per
	if math.IsInf(h, 0) || math.IsNaN(h) {
		return 0, fmt.Errorf("unitOfMeasure %q: price %v per unit is out of range", unit, price)
	}
	return h, nil
}
