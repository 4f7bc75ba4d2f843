package promhistory

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spillway-dev/spillway/plugins/internal/workload"
)

const okBody = `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[100,"4"],[160,"6"]]}]}}`

var okPoints = []workload.Point{{At: at(100), Count: 4}, {At: at(160), Count: 6}}

// fakeServer answers query_range with the responses of script in turn (the
// last one repeats) and counts the requests.
type fakeServer struct {
	*httptest.Server
	requests atomic.Int32
	queries  chan string
}

type reply struct {
	status int
	header map[string]string
	body   string
	delay  time.Duration
}

func newFakeServer(t *testing.T, script ...reply) *fakeServer {
	t.Helper()
	fs := &fakeServer{queries: make(chan string, 100)}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(fs.requests.Add(1)) - 1
		if r.URL.Path != "/api/v1/query_range" {
			http.NotFound(w, r)
			return
		}
		select {
		case fs.queries <- r.FormValue("query"):
		default:
		}
		rp := script[min(n, len(script)-1)]
		if rp.delay > 0 {
			select {
			case <-time.After(rp.delay):
			case <-r.Context().Done():
				return
			}
		}
		for k, v := range rp.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(rp.status)
		_, _ = fmt.Fprint(w, rp.body)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func query(t *testing.T, url string, timeout time.Duration, maxBytes int64) ([]workload.Point, error) {
	t.Helper()
	c, err := NewClient(url, timeout, maxBytes, "")
	if err != nil {
		t.Fatal(err)
	}
	fastRetries(c)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.QueryRange(ctx, "up", at(0), at(200), time.Minute)
}

// fastRetries shortens the waits between retries, not their number.
func fastRetries(c *Client) {
	c.http.RetryWaitMin, c.http.RetryWaitMax = 5*time.Millisecond, 20*time.Millisecond
}

func TestClientQueryRange(t *testing.T) {
	tests := []struct {
		name         string
		script       []reply
		maxBytes     int64
		want         []workload.Point
		wantErr      string
		wantRequests int32
	}{
		{name: "ok", script: []reply{{status: 200, body: okBody}}, want: okPoints, wantRequests: 1},
		{name: "500 then ok is retried", script: []reply{{status: 500, body: "boom"}, {status: 502}, {status: 200, body: okBody}}, want: okPoints, wantRequests: 3},
		{name: "429 with Retry-After then ok", script: []reply{{status: 429, header: map[string]string{"Retry-After": "0"}}, {status: 200, body: okBody}}, want: okPoints, wantRequests: 2},
		{name: "500 for good gives up after the retries", script: []reply{{status: 503, body: `{"status":"error","errorType":"unavailable","error":"overloaded"}`}}, wantErr: "HTTP 503: prometheus: unavailable: overloaded", wantRequests: retryMax + 1},
		{name: "400 bad_data is not retried", script: []reply{{status: 400, body: `{"status":"error","errorType":"bad_data","error":"parse error"}`}}, wantErr: "HTTP 400: prometheus: bad_data: parse error", wantRequests: 1},
		{name: "404 without an API body", script: []reply{{status: 404, body: "not found"}}, wantErr: "HTTP 404", wantRequests: 1},
		{name: "truncated JSON", script: []reply{{status: 200, body: okBody[:40]}}, wantErr: "not valid JSON", wantRequests: 1},
		{name: "over the size cap", script: []reply{{status: 200, body: okBody + strings.Repeat(" ", 2000)}}, maxBytes: 1024, wantErr: "larger than maxResponseBytes", wantRequests: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeServer(t, tt.script...)
			maxBytes := tt.maxBytes
			if maxBytes == 0 {
				maxBytes = 1 << 20
			}
			got, err := query(t, fs.URL, time.Second, maxBytes)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("points (-want +got):\n%s", diff)
			}
			if n := fs.requests.Load(); n != tt.wantRequests {
				t.Errorf("requests = %d, want %d", n, tt.wantRequests)
			}
		})
	}
}

func TestClientSizeCapError(t *testing.T) {
	fs := newFakeServer(t, reply{status: 200, body: strings.Repeat("x", 5000)})
	_, err := query(t, fs.URL, time.Second, 1024)
	if !errors.Is(err, errTooLarge) {
		t.Fatalf("error = %v, want errTooLarge", err)
	}
}

func TestClientServerDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	_ = l.Close()
	if _, err := query(t, url, time.Second, 1<<20); err == nil || !strings.Contains(err.Error(), "connect") {
		t.Fatalf("error = %v, want a connection error", err)
	}
}

func TestClientSlowServerTimesOut(t *testing.T) {
	fs := newFakeServer(t, reply{status: 200, body: okBody, delay: 10 * time.Second})
	c, err := NewClient(fs.URL, 50*time.Millisecond, 1<<20, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	if _, err := c.QueryRange(ctx, "up", at(0), at(200), time.Minute); err == nil {
		t.Fatal("want a timeout error")
	}
	// Bounded by the caller's deadline, not the server's 10 s.
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("QueryRange took %v against a 1s deadline", d)
	}
}

func okHandler(fs *fakeServer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fs.requests.Add(1)
		_, _ = fmt.Fprint(w, okBody)
	})
}
