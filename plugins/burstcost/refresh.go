package burstcost

import (
	"context"
	"time"

	"github.com/cenkalti/backoff/v4"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
)

// refresher refreshes the prices from the public price lists every
// interval. A failed refresh keeps the last good catalog in use, is logged
// once per interval (not once per retry), and is retried with jittered
// exponential backoff from retryMin up to interval until one succeeds;
// after a failure that an early retry would meet again (a response over
// maxResponseBytes, a refused redirect: httpfetch.Persistent) the next
// try waits the whole interval.
type refresher struct {
	pl       *BurstCost
	clk      clock.WithTicker
	logger   klog.Logger
	kick     chan struct{} // a new base catalog (file reload): refresh now
	interval time.Duration
	retryMin time.Duration
	fetch    func(ctx context.Context, base *cost.Catalog) (*cost.Catalog, error)
}

func (r *refresher) run(ctx context.Context) {
	b := &backoff.ExponentialBackOff{
		InitialInterval:     r.retryMin,
		RandomizationFactor: 0.2,
		Multiplier:          2,
		MaxInterval:         r.interval,
		Clock:               r.clk,
	}
	b.Reset()
	var lastLogged time.Time
	failing := false
	wait := time.Duration(0) // the first refresh at start
	for {
		t := r.clk.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C():
		case <-r.kick:
			t.Stop()
		}
		err := r.once(ctx)
		now := r.clk.Now()
		if err != nil {
			catalogFailures.WithLabelValues("refresh").Inc()
			wait = min(b.NextBackOff(), r.interval)
			if httpfetch.Persistent(err) {
				wait = r.interval
			}
			if !failing || now.Sub(lastLogged) >= r.interval {
				cur := r.pl.current.Load()
				r.logger.Error(err, "Price refresh failed; scheduling goes on with the last good catalog",
					"catalog", cur.origin, "catalogAge", now.Sub(cur.asOf).Round(time.Second).String(), "retryIn", wait.Round(time.Millisecond).String())
				lastLogged = now
			}
			failing = true
			continue
		}
		if failing {
			r.logger.Info("Price refresh recovered", "catalog", r.pl.current.Load().origin)
		} else {
			r.logger.V(2).Info("Refreshed prices", "catalog", r.pl.current.Load().origin)
		}
		failing = false
		b.Reset()
		wait = r.interval
	}
}

// once refreshes onto the base catalog (priceCatalogFile or the embedded
// one) and puts the result in use. The whole refresh is bounded by the
// interval.
func (r *refresher) once(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.interval)
	defer cancel()
	base := r.pl.base.Load()
	c, err := r.fetch(ctx, base)
	if err != nil {
		return err
	}
	p, err := newPriced(c, r.pl.backends, "refreshed from the public price lists onto "+catalogOrigin(r.pl.args.PriceCatalogFile), r.clk.Now())
	if err != nil {
		return err
	}
	r.pl.swap(p, r.clk)
	return nil
}
