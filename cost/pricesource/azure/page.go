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
)

// Page is one response of the Retail Prices API.
type Page struct {
	BillingCurrency string `json:"BillingCurrency"`
	Items           []Item `json:"Items"`
	NextPageLink    string `json:"NextPageLink"`
	Count           int    `json:"Count"`
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

// ParsePage decodes one page. A page that is not a JSON object, has no
// Items list, has trailing data, or is cut short is an error with the byte
// offset.
func ParsePage(r io.Reader) (*Page, error) {
	dec := json.NewDecoder(r)
	var raw struct {
		Page
		Items *[]Item `json:"Items"`
	}
	if err := dec.Decode(&raw); err != nil {
		return nil, decodeError(dec, err)
	}
	if raw.Items == nil {
		return nil, errors.New("not a Retail Prices page: no \"Items\" list")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the page at byte %d", dec.InputOffset())
	}
	p := raw.Page
	p.Items = *raw.Items
	return &p, nil
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
