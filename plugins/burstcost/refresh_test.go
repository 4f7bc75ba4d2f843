package burstcost

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/utils/clock"

	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/cost/pricesource"
	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
)

// priceLists serves the recorded AWS offer files (cost/pricesource/aws/
// testdata), or fails as mode says.
type priceLists struct {
	mode atomic.Value // string
}

func (p *priceLists) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	files := map[string]string{
		"/offers/v1.0/aws/AmazonEC2/current/region_index.json":           "region_index-AmazonEC2.json",
		"/offers/v1.0/aws/AmazonECS/current/region_index.json":           "region_index-AmazonECS.json",
		"/offers/v1.0/aws/AmazonEC2/20261127194658/us-east-1/index.json": "ec2-us-east-1.json",
		"/offers/v1.0/aws/AmazonECS/20261120172113/us-east-1/index.json": "ecs-us-east-1.json",
	}
	switch p.mode.Load().(string) {
	case "down":
		panic(http.ErrAbortHandler) // the connection drops without a response
	case "500":
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	case "429":
		w.Header().Set("Retry-After", "0")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	case "slow":
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
		return
	}
	name, ok := files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	data, err := os.ReadFile(filepath.Join("../../cost/pricesource/aws/testdata", name))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	switch p.mode.Load().(string) {
	case "truncated":
		data = data[:len(data)/2]
	case "oversized":
		data = append(data, strings.Repeat(" ", 64<<10)...) // valid, but beyond the 64 KiB cap
	}
	_, _ = w.Write(data)
}

// TestRefreshFailuresKeepTheLastGoodCatalog runs the refresh loop against
// a price list server that goes down, answers 500 and 429, sends truncated
// JSON, stalls beyond the timeout and sends too much: each time the last
// good catalog stays in use, the failure is counted and logged at most
// once per interval, and when the server is back the loop recovers by
// itself.
func TestRefreshFailuresKeepTheLastGoodCatalog(t *testing.T) {
	RegisterMetrics()
	srv := &priceLists{}
	srv.mode.Store("ok")
	ts := httptest.NewServer(srv)
	defer ts.Close()
	pl, err := NewWithClock(context.Background(), testArgs(""), nil, clock.RealClock{})
	if err != nil {
		t.Fatal(err)
	}
	var logs logLines
	f := httpfetch.New(httpfetch.Options{Timeout: 100 * time.Millisecond, Retries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond, MaxResponseBytes: 64 << 10})
	cfg := pricesource.Config{AWS: &pricesource.Source{Region: "us-east-1", Endpoint: ts.URL}}
	var mu sync.Mutex
	var errs []string
	const interval = 400 * time.Millisecond
	r := &refresher{pl: pl, clk: clock.RealClock{}, logger: logs.logger(), kick: make(chan struct{}, 1), interval: interval, retryMin: 10 * time.Millisecond,
		fetch: func(ctx context.Context, base *cost.Catalog) (*cost.Catalog, error) {
			res, err := pricesource.Refresh(ctx, f, base, cfg)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err.Error())
				return nil, err
			}
			errs = append(errs, "")
			return res.Catalog, nil
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.run(ctx) }()
	defer func() { cancel(); <-done }()

	// waitFor polls (these are outcomes, not timings: the deadline only
	// stops a broken loop from hanging the test).
	waitFor := func(t *testing.T, what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; logs:\n%s", what, logs.String())
			}
		}
	}
	reserved := func() float64 {
		m5, _ := pl.current.Load().catalog.InstanceType("m5.xlarge")
		return m5.HourlyUSD[cost.Reserved]
	}
	waitFor(t, "the first refresh", func() bool { return reserved() == 0.119 })
	good := pl.current.Load()
	if !strings.HasPrefix(good.origin, "refreshed from the public price lists") {
		t.Errorf("origin %q", good.origin)
	}

	for _, tt := range []struct{ mode, err string }{
		{"down", "EOF"},
		{"500", "500 Internal Server Error"},
		{"429", "429 Too Many Requests"},
		{"truncated", "JSON ends early"},
		{"slow", "Client.Timeout exceeded"},
		{"oversized", "response exceeds the size cap"},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			before := failures(t, "refresh")
			mu.Lock()
			seen := len(errs)
			mu.Unlock()
			start := time.Now()
			loggedBefore := logs.count("Price refresh failed")
			srv.mode.Store(tt.mode)
			waitFor(t, "two failed refreshes", func() bool {
				mu.Lock()
				defer mu.Unlock()
				n := 0
				for _, e := range errs[seen:] {
					if strings.Contains(e, tt.err) {
						n++
					}
				}
				return n >= 2
			})
			if pl.current.Load() != good {
				t.Errorf("the catalog in use changed during failures")
			}
			// The loop counts a failure after fetch returns, so the
			// counter may trail errs by one: wait for it, not a moment.
			waitFor(t, "the failure counter to grow by 2", func() bool { return failures(t, "refresh")-before >= 2 })
			logged := logs.count("Price refresh failed") - loggedBefore
			if most := int(time.Since(start)/interval) + 2; logged > most || logged < 1 {
				t.Errorf("failure logged %d times in %v; want 1 to %d (once per interval)", logged, time.Since(start), most)
			}
			srv.mode.Store("ok")
			waitFor(t, "recovery", func() bool { return pl.current.Load() != good })
			good = pl.current.Load()
		})
	}
	if logs.count("Price refresh recovered") < 1 {
		t.Errorf("no recovery logged; logs:\n%s", logs.String())
	}
	if reserved() != 0.119 {
		t.Errorf("after recovery m5.xlarge Reserved = %v", reserved())
	}
}
