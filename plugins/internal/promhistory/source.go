package promhistory

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"text/template"
	"time"

	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
	"github.com/spillway-dev/spillway/plugins/apis/config"
	"github.com/spillway-dev/spillway/plugins/internal/workload"
)

// Source is the Prometheus history source: History answers from a cache
// that a background refresher (Run, or Refresh for one round) fills. An
// owner is fetched after it is first asked for, then again every refresh
// interval; a failed fetch keeps the last good data. Safe for concurrent
// use; History never waits on the network.
type Source struct {
	client  *Client
	query   *template.Template
	cfg     config.PrometheusHistory
	window  time.Duration
	clock   clock.WithTicker
	trigger chan struct{}

	mu       sync.Mutex
	owners   map[workload.Key]*entry
	failing  bool      // the last round had failures
	loggedAt time.Time // last failure log: at most one per interval
}

type entry struct {
	points    []workload.Point // last good data; nil until a fetch succeeded
	ok        bool             // a fetch succeeded at least once
	fetchedAt time.Time        // last attempt; zero: never tried
	noQuery   bool             // the template gives no query for this owner
	askedAt   time.Time        // last History call; owners not asked for a window are forgotten
}

// QueryData is what the query template sees of an owner.
type QueryData struct {
	Namespace, Kind, Name string
}

// NewSource returns a source reading window of history per owner from the
// server cfg names. It checks that the query template runs.
func NewSource(cfg config.PrometheusHistory, window time.Duration, clk clock.WithTicker) (*Source, error) {
	tmpl, err := template.New("query").Option("missingkey=error").Parse(cfg.Query)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	if err := tmpl.Execute(&strings.Builder{}, QueryData{Namespace: "default", Kind: workload.KindDeployment, Name: "example"}); err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	c, err := NewClient(cfg.URL, cfg.Timeout.Duration, cfg.MaxResponseBytes, httpfetch.Redirects(cfg.Redirects))
	if err != nil {
		return nil, err
	}
	return &Source{client: c, query: tmpl, cfg: cfg, window: window, clock: clk,
		trigger: make(chan struct{}, 1), owners: map[workload.Key]*entry{}}, nil
}

// History returns the cached points of owner over [start, end] and whether
// the source has data for it; the caller must not change them. An owner not asked for before is queued for
// the refresher, which is woken; the call itself never blocks.
func (s *Source) History(key workload.Key, start, end time.Time) ([]workload.Point, bool) {
	if key.Kind == workload.KindPod {
		return nil, false
	}
	now := s.clock.Now()
	s.mu.Lock()
	e := s.owners[key]
	if e == nil {
		s.owners[key] = &entry{askedAt: now}
		s.mu.Unlock()
		select {
		case s.trigger <- struct{}{}:
		default:
		}
		return nil, false
	}
	defer s.mu.Unlock()
	e.askedAt = now
	if !e.ok {
		return nil, false
	}
	// The point in force at start, then those up to end.
	i := sort.Search(len(e.points), func(i int) bool { return e.points[i].At.After(start) })
	if i > 0 {
		i--
	}
	j := sort.Search(len(e.points), func(j int) bool { return e.points[j].At.After(end) })
	if i >= j {
		return nil, false
	}
	// A fetch replaces e.points, never changes it: no copy needed.
	return e.points[i:j:j], true
}

// Run refreshes every refresh interval, and soon after a new owner is
// asked for, until ctx is done.
func (s *Source) Run(ctx context.Context) {
	t := s.clock.NewTicker(s.cfg.RefreshInterval.Duration)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
		case <-s.trigger:
		}
		s.Refresh(ctx)
	}
}

// due lists the owners whose data is older than the refresh interval,
// never tried first, then the stalest, at most the query budget of this
// interval less what it already spent.
func (s *Source) due(now time.Time) []workload.Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	interval := s.cfg.RefreshInterval.Duration
	spent := 0
	var keys []workload.Key
	for k, e := range s.owners {
		switch {
		case now.Sub(e.askedAt) > max(s.window, 2*interval):
			delete(s.owners, k)
		case e.noQuery:
		case !e.fetchedAt.IsZero() && now.Sub(e.fetchedAt) < interval:
			spent++
		default:
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := s.owners[keys[i]].fetchedAt, s.owners[keys[j]].fetchedAt
		if !a.Equal(b) {
			return a.Before(b)
		}
		return keys[i].String() < keys[j].String()
	})
	budget := max(int(s.cfg.MaxQueriesPerInterval)-spent, 0)
	return keys[:min(len(keys), budget)]
}

// Refresh fetches the owners that are due, within the query budget: at
// most maxQueriesPerInterval queries are sent in any refresh interval.
// Failures keep the last good data and are logged once per round.
func (s *Source) Refresh(ctx context.Context) {
	logger := klog.FromContext(ctx)
	now := s.clock.Now()
	keys := s.due(now)
	var failed int
	var firstErr error
	for _, k := range keys {
		if ctx.Err() != nil {
			return
		}
		err := s.fetch(ctx, k, now)
		if err != nil {
			failed++
			if firstErr == nil {
				firstErr = fmt.Errorf("%s: %w", k, err)
			}
		}
	}
	s.mu.Lock()
	wasFailing := s.failing
	logFailure := failed > 0 && (s.loggedAt.IsZero() || now.Sub(s.loggedAt) >= s.cfg.RefreshInterval.Duration)
	if logFailure {
		s.loggedAt = now
	}
	if len(keys) > 0 {
		s.failing = failed > 0
	}
	s.mu.Unlock()
	switch {
	case logFailure:
		logger.Error(firstErr, "Prometheus history refresh failed; keeping the last good data", "failed", failed, "queried", len(keys))
	case wasFailing && len(keys) > 0 && failed == 0:
		logger.Info("Prometheus history refresh recovered", "queried", len(keys))
		s.mu.Lock()
		s.loggedAt = time.Time{}
		s.mu.Unlock()
	}
}

func (s *Source) fetch(ctx context.Context, k workload.Key, now time.Time) error {
	var q strings.Builder
	if err := s.query.Execute(&q, QueryData{Namespace: k.Namespace, Kind: k.Kind, Name: k.Name}); err != nil {
		return fmt.Errorf("query template: %w", err)
	}
	s.mu.Lock()
	e := s.owners[k]
	e.fetchedAt = now
	if strings.TrimSpace(q.String()) == "" {
		e.noQuery = true
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	points, err := s.client.QueryRange(ctx, q.String(), now.Add(-s.window), now, s.cfg.Step.Duration)
	if err != nil {
		return err
	}
	s.mu.Lock()
	e.points, e.ok = points, len(points) > 0
	s.mu.Unlock()
	return nil
}
