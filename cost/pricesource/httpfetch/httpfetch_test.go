package httpfetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
)

// fast are options that keep the retries of a test short.
func fast() Options {
	return Options{Timeout: 2 * time.Second, Retries: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond}
}

func decodeMap(r io.Reader) (map[string]int, error) {
	var m map[string]int
	err := json.NewDecoder(r).Decode(&m)
	return m, err
}

func TestFetchRetries(t *testing.T) {
	tests := []struct {
		name     string
		failures int // answers before the good one
		status   int
		header   http.Header
		wantErr  string // "" = success
		minWait  time.Duration
		attempts int32
	}{
		{name: "ok at once", attempts: 1},
		{name: "two 500s then ok", failures: 2, status: 500, attempts: 3},
		{name: "503s beyond the retries", failures: 10, status: 503, wantErr: "giving up after 3 attempt(s)", attempts: 3},
		{name: "429 with Retry-After seconds", failures: 1, status: 429, header: http.Header{"Retry-After": {"1"}}, minWait: time.Second, attempts: 2},
		{name: "429 beyond the retries names the status", failures: 10, status: 429, wantErr: "429 Too Many Requests", attempts: 3},
		{name: "404 is not retried", failures: 10, status: 404, wantErr: "HTTP 404 Not Found", attempts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if int(n.Add(1)) <= tt.failures {
					for k, v := range tt.header {
						w.Header()[k] = v
					}
					w.WriteHeader(tt.status)
					return
				}
				fmt.Fprint(w, `{"a": 1}`)
			}))
			defer srv.Close()
			start := time.Now()
			got, err := Fetch(context.Background(), New(fast()), srv.URL, decodeMap)
			elapsed := time.Since(start)
			if tt.wantErr == "" {
				if err != nil || got["a"] != 1 {
					t.Fatalf("Fetch = %v, %v; want a=1", got, err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Fetch error = %v; want one containing %q", err, tt.wantErr)
			}
			if elapsed < tt.minWait {
				t.Errorf("took %v; want at least %v (Retry-After)", elapsed, tt.minWait)
			}
			if got := n.Load(); got != tt.attempts {
				t.Errorf("%d attempts; want %d", got, tt.attempts)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		h    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{"-1", 0, false},
		{"Tue, 01 Dec 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Tue, 01 Dec 2026 11:00:00 GMT", 0, true},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.h, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.h, got, ok, tt.want, tt.ok)
		}
	}
	// The jittered wait without Retry-After stays within [min/2, max].
	b := Backoff(time.Minute)
	for attempt := range 10 {
		d := b(100*time.Millisecond, time.Second, attempt, nil)
		if d < 50*time.Millisecond || d > time.Second {
			t.Errorf("attempt %d: wait %v outside [50ms, 1s]", attempt, d)
		}
	}
	// A Retry-After above the cap is capped.
	resp := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"3600"}}}
	if d := b(time.Millisecond, time.Second, 0, resp); d != time.Minute {
		t.Errorf("Retry-After 3600 with a 1m cap: wait %v", d)
	}
}

func TestFetchFailures(t *testing.T) {
	big := `{"a": 1, "padding": ` + strings.Repeat("1", 2000) + `}`
	tests := []struct {
		name    string
		handler http.HandlerFunc
		opts    func(*Options)
		wantErr string
		is      error
	}{
		{name: "truncated JSON", handler: func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, `{"a": 1, "b"`) },
			wantErr: "unexpected EOF"},
		{name: "not JSON", handler: func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, `<html>maintenance</html>`) },
			wantErr: "invalid character '<'"},
		{name: "slow server beyond the timeout", handler: func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		}, opts: func(o *Options) { o.Timeout = 100 * time.Millisecond; o.Retries = 1 }, wantErr: "Client.Timeout exceeded"},
		{name: "oversized with Content-Length", handler: func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, big) },
			opts: func(o *Options) { o.MaxResponseBytes = 1000 }, wantErr: "Content-Length", is: ErrTooLarge},
		{name: "oversized, chunked", handler: func(w http.ResponseWriter, _ *http.Request) {
			w.(http.Flusher).Flush() // no Content-Length
			fmt.Fprint(w, big)
		}, opts: func(o *Options) { o.MaxResponseBytes = 1000 }, wantErr: "maxResponseBytes", is: ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			o := fast()
			if tt.opts != nil {
				tt.opts(&o)
			}
			_, err := Fetch(context.Background(), New(o), srv.URL+"/prices", decodeMap)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), srv.URL+"/prices") {
				t.Fatalf("Fetch error = %v; want one naming the URL and containing %q", err, tt.wantErr)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
		})
	}
}

func TestFetchServerDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens there now
	_, err = Fetch(context.Background(), New(fast()), "http://"+addr+"/x", decodeMap)
	if err == nil || !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "giving up after 3 attempt(s)") {
		t.Fatalf("Fetch error = %v; want connection refused after 3 attempts", err)
	}
}

func TestFetchValidatorCache(t *testing.T) {
	for _, validator := range []string{"ETag", "Last-Modified"} {
		t.Run(validator, func(t *testing.T) {
			var full, notModified atomic.Int32
			value := `"v1"`
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if validator == "ETag" {
					w.Header().Set("ETag", value)
					if r.Header.Get("If-None-Match") == value {
						notModified.Add(1)
						w.WriteHeader(http.StatusNotModified)
						return
					}
				} else {
					w.Header().Set("Last-Modified", "Sun, 22 Nov 2026 10:00:00 GMT")
					if r.Header.Get("If-Modified-Since") != "" {
						notModified.Add(1)
						w.WriteHeader(http.StatusNotModified)
						return
					}
				}
				full.Add(1)
				fmt.Fprint(w, `{"a": 1}`)
			}))
			defer srv.Close()
			f := New(fast())
			parses := 0
			parse := func(r io.Reader) (map[string]int, error) { parses++; return decodeMap(r) }
			for range 3 {
				got, err := Fetch(context.Background(), f, srv.URL, parse)
				if err != nil || got["a"] != 1 {
					t.Fatalf("Fetch = %v, %v", got, err)
				}
			}
			if full.Load() != 1 || notModified.Load() != 2 || parses != 1 {
				t.Errorf("full responses %d, 304s %d, parses %d; want 1, 2, 1", full.Load(), notModified.Load(), parses)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:hunter2@mirror.example/prices?x=1": "https://user:xxxxx@mirror.example/prices?x=1",
		"https://mirror.example/p?access_token=abc&q=1":  "https://mirror.example/p?access_token=xxxxx&q=1",
		"https://prices.example/api?$filter=a eq 'b'":    "https://prices.example/api?$filter=a eq 'b'",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q; want %q", in, got, want)
		}
	}
}

// Retries are logged, and neither the log nor the error shows a token in
// the URL.
func TestRetriesLoggedRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer srv.Close()
	var mu sync.Mutex
	var lines []string
	o := fast()
	o.Logger = funcr.New(func(prefix, args string) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, args)
	}, funcr.Options{Verbosity: 2})
	_, err := Fetch(context.Background(), New(o), srv.URL+"/p?access_token=hunter2", decodeMap)
	mu.Lock()
	defer mu.Unlock()
	all := strings.Join(lines, "\n") + "\n" + fmt.Sprint(err)
	if len(lines) != 2 || strings.Contains(all, "hunter2") || !strings.Contains(all, "access_token=xxxxx") {
		t.Errorf("want two retry lines and the token redacted everywhere; got:\n%s", all)
	}
}
