// Package promhistory reads workloads' replica-count history from a
// Prometheus server's HTTP API (/api/v1/query_range) for the Steadiness
// plugin: a background refresher fetches each owner's series within a
// query budget and caches it; the scheduling path only reads the cache.
package promhistory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/spillway-dev/spillway/plugins/internal/workload"
)

// APIError is an error response of the Prometheus HTTP API.
type APIError struct {
	Type, Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("prometheus: %s: %s", e.Type, e.Message) }

type response struct {
	Status    string          `json:"status"`
	Data      json.RawMessage `json:"data"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
}

type matrixData struct {
	ResultType string `json:"resultType"`
	Result     []struct {
		Metric map[string]string `json:"metric"`
		Values []samplePair      `json:"values"`
	} `json:"result"`
}

type samplePair struct {
	at    float64
	value float64
}

func (s *samplePair) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if len(raw) != 2 {
		return fmt.Errorf("a sample must be [timestamp, \"value\"], got %d elements", len(raw))
	}
	if err := json.Unmarshal(raw[0], &s.at); err != nil {
		return fmt.Errorf("sample timestamp: %w", err)
	}
	var v string
	if err := json.Unmarshal(raw[1], &v); err != nil {
		return fmt.Errorf("sample value: %w", err)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return fmt.Errorf("sample value: %w", err)
	}
	s.value = f
	return nil
}

// ParseQueryRange parses a query_range response body into replica-count
// points, oldest first. Several series (e.g. two kube-state-metrics
// replicas) merge by taking the largest value at each timestamp; values
// round to the nearest integer; NaN, infinite and negative values are
// skipped. An error response is returned as *APIError; anything else that
// is not a matrix response is an error saying what is wrong.
func ParseQueryRange(body []byte) ([]workload.Point, error) {
	var r response
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("prometheus response is not valid JSON: %w", err)
	}
	switch r.Status {
	case "success":
	case "error":
		return nil, &APIError{Type: r.ErrorType, Message: r.Error}
	default:
		return nil, fmt.Errorf("prometheus response: status %q, want \"success\" or \"error\"", r.Status)
	}
	var d matrixData
	if err := json.Unmarshal(r.Data, &d); err != nil {
		return nil, fmt.Errorf("prometheus response data: %w", err)
	}
	if d.ResultType != "matrix" {
		return nil, fmt.Errorf("prometheus response: resultType %q, want \"matrix\" (a range query)", d.ResultType)
	}
	byTime := map[int64]int{}
	for _, series := range d.Result {
		for _, s := range series.Values {
			if math.IsNaN(s.value) || math.IsInf(s.value, 0) || s.value < 0 || s.value > math.MaxInt32 ||
				math.IsNaN(s.at) || math.IsInf(s.at, 0) || math.Abs(s.at) > 1e12 {
				continue
			}
			ms := int64(math.Round(s.at * 1000))
			c := int(math.Round(s.value))
			if old, ok := byTime[ms]; !ok || c > old {
				byTime[ms] = c
			}
		}
	}
	points := make([]workload.Point, 0, len(byTime))
	for ms, c := range byTime {
		points = append(points, workload.Point{At: time.UnixMilli(ms).UTC(), Count: c})
	}
	sort.Slice(points, func(i, j int) bool { return points[i].At.Before(points[j].At) })
	return points, nil
}

// errTooLarge is returned for a response over the size cap.
var errTooLarge = errors.New("prometheus response larger than maxResponseBytes")
