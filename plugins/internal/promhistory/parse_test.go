package promhistory

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spillway-dev/spillway/plugins/internal/workload"
)

func at(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

func TestParseQueryRange(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []workload.Point
		wantErr string
	}{
		{
			name: "one series, values rounded",
			body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"deployment":"web"},"values":[[100,"2"],[160,"2.6"],[220.5,"1.4"]]}]}}`,
			want: []workload.Point{{At: at(100), Count: 2}, {At: at(160), Count: 3}, {At: time.UnixMilli(220500).UTC(), Count: 1}},
		},
		{
			name: "two series merge by max, sorted",
			body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"i":"a"},"values":[[160,"1"],[100,"5"]]},{"metric":{"i":"b"},"values":[[100,"3"],[160,"4"]]}]}}`,
			want: []workload.Point{{At: at(100), Count: 5}, {At: at(160), Count: 4}},
		},
		{
			name: "NaN, Inf and negative skipped",
			body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[100,"NaN"],[160,"+Inf"],[220,"-1"],[280,"7"]]}]}}`,
			want: []workload.Point{{At: at(280), Count: 7}},
		},
		{
			name: "empty result",
			body: `{"status":"success","data":{"resultType":"matrix","result":[]}}`,
			want: []workload.Point{},
		},
		{name: "truncated", body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[100,"`, wantErr: "not valid JSON"},
		{name: "not JSON", body: `<html>502 Bad Gateway</html>`, wantErr: "not valid JSON"},
		{name: "vector, not matrix", body: `{"status":"success","data":{"resultType":"vector","result":[]}}`, wantErr: `resultType "vector", want "matrix"`},
		{name: "unknown status", body: `{"status":"weird"}`, wantErr: `status "weird"`},
		{name: "value not a string", body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[100,2]]}]}}`, wantErr: "sample value"},
		{name: "value not a number", body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[100,"two"]]}]}}`, wantErr: "sample value"},
		{name: "sample of three", body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[100,"1","2"]]}]}}`, wantErr: "got 3 elements"},
		{name: "api error", body: `{"status":"error","errorType":"bad_data","error":"parse error at char 5"}`, wantErr: "prometheus: bad_data: parse error at char 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQueryRange([]byte(tt.body))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("points (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseQueryRangeAPIErrorType(t *testing.T) {
	_, err := ParseQueryRange([]byte(`{"status":"error","errorType":"timeout","error":"query timed out"}`))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Type != "timeout" {
		t.Fatalf("error = %#v, want *APIError of type timeout", err)
	}
}

// FuzzParseQueryRange: any input parses or fails with an error, never
// panics, and what parses is sorted, distinct in time and non-negative.
func FuzzParseQueryRange(f *testing.F) {
	f.Add([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":[[100,"2"],[160,"3"]]}]}}`))
	f.Add([]byte(`{"status":"error","errorType":"bad_data","error":"x"}`))
	f.Add([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"values":[[1e300,"1e300"],[-5,"NaN"]]}]}}`))
	f.Add([]byte(`{"status":"success","data":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		points, err := ParseQueryRange(body)
		if err != nil {
			return
		}
		for i, p := range points {
			if p.Count < 0 {
				t.Fatalf("negative count %d", p.Count)
			}
			if i > 0 && !points[i-1].At.Before(p.At) {
				t.Fatalf("points not strictly increasing in time at %d", i)
			}
		}
	})
}
