// Package promhistory reads workloads' replica-count history from a
// Prometheus server's HTTP API (/api/v1/query_range) for the Steadiness
// plugin: a background refresher fetches each owner's series within a
// query budget and caches it; the scheduling path only reads the cache.
//
// The client is this package's own, not client_golang's api/prometheus/v1,
// because it decodes the answer as it arrives: on an 18 MB answer of a
// million samples (TestQueryRangeMemoryBounded's) the heap grew by 3.8 MB
// here and by 109.4 MB through client_golang v1.22.0's QueryRange (which
// reads the body whole and then builds a model.Matrix), measured with
// internal/memtest in one test process on 2026-12-03. The scheduler's
// Deployment has 512Mi. Every call still goes through go-retryablehttp.
package promhistory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"

	"github.com/spillway-dev/spillway/plugins/internal/workload"
)

// APIError is an error response of the Prometheus HTTP API.
type APIError struct {
	Type, Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("prometheus: %s: %s", e.Type, e.Message) }

type samplePair struct {
	at    float64
	value float64
}

// readSample reads one sample, [timestamp, "value"], token by token (no
// allocation but the value's string).
func readSample(dec *json.Decoder) (samplePair, error) {
	var s samplePair
	if err := delim(dec, '['); err != nil {
		return s, fmt.Errorf("a sample must be [timestamp, \"value\"]: %w", err)
	}
	n := 0
	for ; dec.More(); n++ {
		tok, err := dec.Token()
		if err != nil {
			return s, err
		}
		switch n {
		case 0:
			at, ok := tok.(float64)
			if !ok {
				return s, fmt.Errorf("sample timestamp: want a number, got %v", tok)
			}
			s.at = at
		case 1:
			v, ok := tok.(string)
			if !ok {
				return s, fmt.Errorf("sample value: want a string, got %v", tok)
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return s, fmt.Errorf("sample value: %w", err)
			}
			s.value = f
		default:
			if d, ok := tok.(json.Delim); ok && (d == '[' || d == '{') {
				return s, fmt.Errorf("a sample must be [timestamp, \"value\"], got %d elements or more", n+1)
			}
		}
	}
	if err := delim(dec, ']'); err != nil {
		return s, err
	}
	if n != 2 {
		return s, fmt.Errorf("a sample must be [timestamp, \"value\"], got %d elements", n)
	}
	return s, nil
}

// MaxPoints bounds the distinct timestamps of one answer: Prometheus
// returns at most 11,000 points a series, and the series of one owner
// share their timestamps. It keeps memory small whatever a server sends.
const MaxPoints = 50_000

// maxValueBytes bounds one JSON value the decoder holds (a sample, a
// series' labels): the answer's text is never held whole.
const maxValueBytes = 1 << 20

// ParseQueryRange is DecodeQueryRange on a body in memory.
func ParseQueryRange(body []byte) ([]workload.Point, error) {
	return DecodeQueryRange(bytes.NewReader(body))
}

// DecodeQueryRange decodes a query_range response as a stream into
// replica-count points, oldest first, one sample at a time: memory holds
// the points, never the response. Several series (e.g. two
// kube-state-metrics replicas) merge by taking the largest value at each
// timestamp; values round to the nearest integer; NaN, infinite and
// negative values are skipped. An error response is returned as
// *APIError; anything else that is not a matrix response (or that has
// more than MaxPoints timestamps) is an error saying what is wrong.
func DecodeQueryRange(r io.Reader) ([]workload.Point, error) {
	dec := httpfetch.NewJSONDecoder(r, maxValueBytes)
	var status, errorType, errMsg, resultType string
	byTime := map[int64]int{}
	if err := delim(dec, '{'); err != nil {
		return nil, responseError(err)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, responseError(err)
		}
		k, _ := key.(string)
		switch strings.ToLower(k) { // encoding/json's matching of fields
		case "status":
			err = dec.Decode(&status)
		case "errortype":
			err = dec.Decode(&errorType)
		case "error":
			err = dec.Decode(&errMsg)
		case "data":
			err = decodeData(dec, &resultType, byTime)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return nil, responseError(err)
		}
	}
	if err := delim(dec, '}'); err != nil {
		return nil, responseError(err)
	}
	switch status {
	case "success":
	case "error":
		return nil, &APIError{Type: errorType, Message: errMsg}
	default:
		return nil, fmt.Errorf("prometheus response: status %q, want \"success\" or \"error\"", status)
	}
	if resultType != "matrix" {
		return nil, fmt.Errorf("prometheus response: resultType %q, want \"matrix\" (a range query)", resultType)
	}
	points := make([]workload.Point, 0, len(byTime))
	for ms, c := range byTime {
		points = append(points, workload.Point{At: time.UnixMilli(ms).UTC(), Count: c})
	}
	sort.Slice(points, func(i, j int) bool { return points[i].At.Before(points[j].At) })
	return points, nil
}

// responseError says whether err is the JSON's syntax (or its end) or its
// content.
func responseError(err error) error {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("prometheus response is not valid JSON: %w", err)
	}
	return fmt.Errorf("prometheus response data: %w", err)
}

// decodeData reads {"resultType": ..., "result": [series...]}, adding
// each sample of each series to byTime as it is read.
func decodeData(dec *json.Decoder, resultType *string, byTime map[int64]int) error {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err // "data": null has no resultType
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("data must be an object, got %v", tok)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := key.(string)
		switch strings.ToLower(k) {
		case "resulttype":
			err = dec.Decode(resultType)
		case "result":
			err = list(dec, func() error { return decodeSeries(dec, byTime) })
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return err
		}
	}
	return delim(dec, '}')
}

// decodeSeries reads one series, {"metric": {...}, "values": [[t, "v"]...]}.
func decodeSeries(dec *json.Decoder, byTime map[int64]int) error {
	if err := delim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		if k, _ := key.(string); strings.EqualFold(k, "values") {
			err = list(dec, func() error {
				s, err := readSample(dec)
				if err != nil {
					return err
				}
				return s.addTo(byTime)
			})
		} else {
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return err
		}
	}
	return delim(dec, '}')
}

// addTo merges the sample into byTime (the largest value at a time wins),
// skipping values that are not replica counts.
func (s samplePair) addTo(byTime map[int64]int) error {
	if math.IsNaN(s.value) || math.IsInf(s.value, 0) || s.value < 0 || s.value > math.MaxInt32 ||
		math.IsNaN(s.at) || math.IsInf(s.at, 0) || math.Abs(s.at) > 1e12 {
		return nil
	}
	ms := int64(math.Round(s.at * 1000))
	c := int(math.Round(s.value))
	old, ok := byTime[ms]
	if !ok && len(byTime) == MaxPoints {
		return fmt.Errorf("more than %d timestamps in one answer (MaxPoints)", MaxPoints)
	}
	if !ok || c > old {
		byTime[ms] = c
	}
	return nil
}

// list reads a JSON list (or null), calling each for every element.
func list(dec *json.Decoder, each func() error) error {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("want a list, got %v", tok)
	}
	for dec.More() {
		if err := each(); err != nil {
			return err
		}
	}
	return delim(dec, ']')
}

// delim reads the delimiter want.
func delim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %q, got %v", want, tok)
	}
	return nil
}

// errTooLarge is returned for a response over the size cap.
var errTooLarge = errors.New("prometheus response larger than maxResponseBytes")
