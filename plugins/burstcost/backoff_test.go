package burstcost

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
)

// TestRefreshBackoff runs the refresh loop on a fake clock against a
// fetch that always fails, and measures the time between tries: after a
// transient failure (a network error) the waits grow from retryMin
// (interval/20) by 2x, ±20% jitter, up to the interval and stay there;
// after a response over maxResponseBytes or a refused redirect, which an
// early retry would meet again, every wait is the whole interval.
func TestRefreshBackoff(t *testing.T) {
	const interval = time.Minute
	tests := []struct {
		name string
		err  error
		want []time.Duration // nominal waits between tries
	}{
		{"transient", errors.New("connection refused"),
			[]time.Duration{3 * time.Second, 6 * time.Second, 12 * time.Second, 24 * time.Second, 48 * time.Second, interval, interval}},
		{"over maxResponseBytes", fmt.Errorf("GET x: %w", httpfetch.ErrTooLarge),
			[]time.Duration{interval, interval, interval}},
		{"redirect refused", fmt.Errorf("GET x: %w", httpfetch.ErrRedirect),
			[]time.Duration{interval, interval}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			RegisterMetrics()
			clk := clocktesting.NewFakeClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
			pl, err := NewWithClock(context.Background(), testArgs(""), nil, clk)
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var tries []time.Time
			r := &refresher{pl: pl, clk: clk, logger: logr.Discard(), kick: make(chan struct{}, 1),
				interval: interval, retryMin: interval / 20,
				fetch: func(context.Context, *cost.Catalog) (*cost.Catalog, error) {
					mu.Lock()
					defer mu.Unlock()
					tries = append(tries, clk.Now())
					return nil, tt.err
				}}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); r.run(ctx) }()
			defer func() { cancel(); <-done }()
			count := func() int { mu.Lock(); defer mu.Unlock(); return len(tries) }
			// Step the clock a second at a time, once the loop waits, until
			// every wait was seen.
			for deadline := time.Now().Add(30 * time.Second); count() <= len(tt.want); {
				if time.Now().After(deadline) {
					t.Fatalf("%d tries after 30 s", count())
				}
				if n := count(); clk.HasWaiters() {
					clk.Step(time.Second)
					for count() == n && clk.HasWaiters() && time.Now().Before(deadline) {
						clk.Step(time.Second)
					}
					continue
				}
				time.Sleep(time.Millisecond)
			}
			mu.Lock()
			defer mu.Unlock()
			var got []time.Duration
			for i := 1; i <= len(tt.want); i++ {
				got = append(got, tries[i].Sub(tries[i-1]))
			}
			t.Logf("waits between tries: %v", got)
			// Within the jitter (and the 1 s steps) of the nominal waits.
			var off []string
			for i, w := range tt.want {
				lo, hi := w*8/10, min(w*12/10, interval)+time.Second
				if got[i] < lo || got[i] > hi {
					off = append(off, fmt.Sprintf("wait %d: %v, want %v..%v", i+1, got[i], lo, hi))
				}
			}
			if diff := cmp.Diff([]string(nil), off); diff != "" {
				t.Errorf("waits %v; nominal %v (-want +got):\n%s", got, tt.want, diff)
			}
		})
	}
}
