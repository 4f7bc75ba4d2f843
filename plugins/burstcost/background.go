package burstcost

import (
	"context"
	"sync"
	"time"

	"k8s.io/component-base/metrics"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/cost/pricesource"
	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
	"github.com/spillway-dev/spillway/plugins/apis/config"
)

var (
	catalogAge = metrics.NewGauge(&metrics.GaugeOpts{
		Namespace:      "spillway",
		Name:           "price_catalog_age_seconds",
		Help:           "Age of the price catalog BurstCost prices with: seconds since its prices were fetched (refresh) or since the day its updated field names (file, embedded); the oldest of all profiles.",
		StabilityLevel: metrics.ALPHA,
	})
	catalogFailures = metrics.NewCounterVec(&metrics.CounterOpts{
		Namespace:      "spillway",
		Name:           "price_catalog_refresh_failures_total",
		Help:           "Price catalog updates that failed and left the last good catalog in use, by source (refresh: the public price lists; file: priceCatalogFile).",
		StabilityLevel: metrics.ALPHA,
	}, []string{"source"})
)

// ageEvery is how often the age gauge is brought up to date.
const ageEvery = 10 * time.Second

// live are the plugin instances of a running scheduler (one per profile
// with BurstCost), whose oldest catalog the age gauge reports.
var live = struct {
	sync.Mutex
	set map[*BurstCost]bool
}{set: map[*BurstCost]bool{}}

// startBackground starts, with ctx as their lifetime, the age gauge's
// updates, the reload of priceCatalogFile and the price refresh. Nothing
// here is on the scheduling path: PreScore only loads pl.current.
func (pl *BurstCost) startBackground(ctx context.Context, clk clock.WithTicker) {
	logger := klog.LoggerWithName(klog.FromContext(ctx), Name)
	live.Lock()
	live.set[pl] = true
	live.Unlock()
	kick := make(chan struct{}, 1)
	go func() {
		t := clk.NewTicker(ageEvery)
		defer t.Stop()
		for {
			updateAge(clk)
			select {
			case <-ctx.Done():
				live.Lock()
				delete(live.set, pl)
				live.Unlock()
				return
			case <-t.C():
			}
		}
	}()
	if pl.args.PriceCatalogFile != "" && pl.args.PriceCatalogReloadInterval.Duration > 0 {
		w := &fileWatcher{pl: pl, path: pl.args.PriceCatalogFile, every: pl.args.PriceCatalogReloadInterval.Duration, clk: clk, logger: logger, kick: kick}
		w.prime()
		go w.run(ctx)
	}
	if r := pl.args.PriceRefresh; r != nil {
		go newRefresher(pl, r, clk, logger, kick).run(ctx)
	}
}

// updateAge sets the age gauge to the oldest catalog of the live plugins.
func updateAge(clk clock.PassiveClock) {
	live.Lock()
	defer live.Unlock()
	oldest := 0.0
	for pl := range live.set {
		oldest = max(oldest, clk.Since(pl.current.Load().asOf).Seconds())
	}
	catalogAge.Set(oldest)
}

// swap puts a new catalog in use and brings the gauge up to date.
func (pl *BurstCost) swap(p *priced, clk clock.PassiveClock) {
	pl.current.Store(p)
	updateAge(clk)
}

// newRefresher builds the refresh loop of args r.
func newRefresher(pl *BurstCost, r *config.PriceRefreshArgs, clk clock.WithTicker, logger klog.Logger, kick chan struct{}) *refresher {
	cfg := pricesource.Config{Now: clk.Now}
	if s := r.AWS; s != nil {
		cfg.AWS = &pricesource.Source{Region: s.Region, Endpoint: s.Endpoint}
	}
	if s := r.Azure; s != nil {
		cfg.Azure = &pricesource.Source{Region: s.Region, Endpoint: s.Endpoint}
	}
	f := httpfetch.New(httpfetch.Options{Timeout: r.Timeout.Duration, MaxResponseBytes: r.MaxResponseBytes, Redirects: httpfetch.Redirects(r.Redirects), Logger: logger})
	return &refresher{
		pl: pl, clk: clk, logger: logger, kick: kick,
		interval: r.Interval.Duration,
		retryMin: min(r.Interval.Duration/20, time.Minute),
		fetch: func(ctx context.Context, base *cost.Catalog) (*cost.Catalog, error) {
			res, err := pricesource.Refresh(ctx, f, base, cfg)
			if err != nil {
				return nil, err
			}
			return res.Catalog, nil
		},
	}
}
