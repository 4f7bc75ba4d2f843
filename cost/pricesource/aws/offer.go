// Package aws reads prices from the AWS Price List bulk offer files: one
// JSON document per service and region (products by SKU, then their terms),
// located through the service's region_index.json; public, no credentials.
//
// The EC2 offer of a region is hundreds of MB. ParseOffer decodes it as a
// stream, token by token, and keeps only the products a filter accepts and
// their terms, so memory stays bounded by what is kept, not by the file.
package aws

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
)

// Product is one SKU of an offer file.
type Product struct {
	SKU           string            `json:"sku"`
	ProductFamily string            `json:"productFamily"`
	Attributes    map[string]string `json:"attributes"`
}

// Term is one offer term of a SKU (an OnDemand term, or a Reserved one
// with its lease length, class and purchase option in TermAttributes).
type Term struct {
	OfferTermCode   string                    `json:"offerTermCode"`
	EffectiveDate   string                    `json:"effectiveDate"`
	PriceDimensions map[string]PriceDimension `json:"priceDimensions"`
	TermAttributes  map[string]string         `json:"termAttributes"`
}

// PriceDimension is one rate of a term.
type PriceDimension struct {
	Unit         string            `json:"unit"`
	Description  string            `json:"description"`
	BeginRange   string            `json:"beginRange"`
	EndRange     string            `json:"endRange"`
	PricePerUnit map[string]string `json:"pricePerUnit"`
}

// Offer is the part of an offer file that ParseOffer kept.
type Offer struct {
	OfferCode       string
	Version         string
	PublicationDate string
	// Products holds the products the filter kept, by SKU.
	Products map[string]*Product
	// Terms holds their terms: Terms["OnDemand"][sku] lists a SKU's
	// on-demand terms, Terms["Reserved"][sku] its reserved ones.
	Terms map[string]map[string][]Term
	// Seen counts every product of the file.
	Seen int

	kept int64 // JSON bytes of what was kept
}

// keepBytes counts n bytes kept and fails beyond MaxKeptBytes.
func (o *Offer) keepBytes(dec *json.Decoder, n int64) error {
	if o.kept += n; o.kept > MaxKeptBytes {
		return at(dec, fmt.Errorf("more than %d bytes of products and terms match the filter (MaxKeptBytes): not an offer file of the kind expected", MaxKeptBytes))
	}
	return nil
}

// MaxKeptBytes bounds the JSON size of the products and terms ParseOffer
// keeps (a catalog's types take a few KB each), and so its memory,
// whatever the file holds; each product or SKU's terms is at most
// httpfetch.DefaultMaxJSONValueBytes.
const MaxKeptBytes = 16 << 20

// ParseOffer decodes an offer file, keeping the products keep accepts and
// their terms (at most MaxKeptBytes of them). The file must list "products" before "terms", as the bulk
// files do. An error names the byte offset; a file cut short says so.
func ParseOffer(r io.Reader, keep func(*Product) bool) (*Offer, error) {
	dec := httpfetch.NewJSONDecoder(r, httpfetch.DefaultMaxJSONValueBytes)
	dec.UseNumber()
	o := &Offer{Products: map[string]*Product{}, Terms: map[string]map[string][]Term{}}
	if err := expectDelim(dec, '{', "the offer file"); err != nil {
		return nil, err
	}
	sawProducts := false
	for dec.More() {
		key, err := readKey(dec)
		if err != nil {
			return nil, err
		}
		switch key {
		case "offerCode", "version", "publicationDate":
			var s string
			if err := dec.Decode(&s); err != nil {
				return nil, at(dec, fmt.Errorf("%q: %w", key, err))
			}
			switch key {
			case "offerCode":
				o.OfferCode = s
			case "version":
				o.Version = s
			default:
				o.PublicationDate = s
			}
		case "products":
			sawProducts = true
			if err := o.products(dec, keep); err != nil {
				return nil, err
			}
		case "terms":
			if !sawProducts {
				return nil, at(dec, errors.New(`"terms" before "products": not a bulk offer file this reader can stream`))
			}
			if err := o.terms(dec); err != nil {
				return nil, err
			}
		default:
			if err := skip(dec); err != nil {
				return nil, err
			}
		}
	}
	if err := expectDelim(dec, '}', "the offer file"); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, at(dec, errors.New("trailing data after the offer file"))
	}
	if o.OfferCode == "" {
		return nil, errors.New(`not an offer file: no "offerCode"`)
	}
	if !sawProducts {
		return nil, errors.New(`not an offer file: no "products"`)
	}
	return o, nil
}

func (o *Offer) products(dec *json.Decoder, keep func(*Product) bool) error {
	if err := expectDelim(dec, '{', `"products"`); err != nil {
		return err
	}
	for dec.More() {
		sku, err := readKey(dec)
		if err != nil {
			return err
		}
		var p Product
		start := dec.InputOffset()
		if err := dec.Decode(&p); err != nil {
			return at(dec, fmt.Errorf("products[%q]: %w", sku, err))
		}
		o.Seen++
		if p.SKU == "" {
			p.SKU = sku
		}
		if keep(&p) {
			if err := o.keepBytes(dec, dec.InputOffset()-start); err != nil {
				return err
			}
			o.Products[sku] = &p
		}
	}
	return expectDelim(dec, '}', `"products"`)
}

func (o *Offer) terms(dec *json.Decoder) error {
	if err := expectDelim(dec, '{', `"terms"`); err != nil {
		return err
	}
	for dec.More() {
		kind, err := readKey(dec)
		if err != nil {
			return err
		}
		if err := expectDelim(dec, '{', fmt.Sprintf("terms[%q]", kind)); err != nil {
			return err
		}
		for dec.More() {
			sku, err := readKey(dec)
			if err != nil {
				return err
			}
			if o.Products[sku] == nil {
				if err := skip(dec); err != nil {
					return err
				}
				continue
			}
			var byCode map[string]Term
			start := dec.InputOffset()
			if err := dec.Decode(&byCode); err != nil {
				return at(dec, fmt.Errorf("terms[%q][%q]: %w", kind, sku, err))
			}
			if err := o.keepBytes(dec, dec.InputOffset()-start); err != nil {
				return err
			}
			if o.Terms[kind] == nil {
				o.Terms[kind] = map[string][]Term{}
			}
			for _, code := range sortedKeys(byCode) {
				o.Terms[kind][sku] = append(o.Terms[kind][sku], byCode[code])
			}
		}
		if err := expectDelim(dec, '}', fmt.Sprintf("terms[%q]", kind)); err != nil {
			return err
		}
	}
	return expectDelim(dec, '}', `"terms"`)
}

// readKey reads an object key.
func readKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", at(dec, err)
	}
	s, ok := tok.(string)
	if !ok {
		return "", at(dec, fmt.Errorf("want an object key, got %v", tok))
	}
	return s, nil
}

func expectDelim(dec *json.Decoder, want json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return at(dec, fmt.Errorf("%s: %w", what, err))
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return at(dec, fmt.Errorf("%s: want %q, got %v", what, want, tok))
	}
	return nil
}

// skip reads one value, of any size, without keeping it.
func skip(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return at(dec, err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// at adds the decoder's byte offset to err, and says when the input
// ended early.
func at(dec *json.Decoder, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("JSON ends early at byte %d (truncated response?): %w", dec.InputOffset(), io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("invalid offer file near byte %d: %w", dec.InputOffset(), err)
}
