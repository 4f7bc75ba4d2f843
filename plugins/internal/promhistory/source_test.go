package promhistory

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/spillway-dev/spillway/plugins/apis/config"
	v1 "github.com/spillway-dev/spillway/plugins/apis/config/v1"
	"github.com/spillway-dev/spillway/plugins/internal/workload"
)

const interval = 5 * time.Minute

type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) count(substr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.lines {
		if strings.Contains(s, substr) {
			n++
		}
	}
	return n
}

func newTestSource(t *testing.T, url string, budget int32) (*Source, *clocktesting.FakeClock, context.Context, *logLines) {
	t.Helper()
	clk := clocktesting.NewFakeClock(at(1000))
	src, err := NewSource(config.PrometheusHistory{
		URL: url, Query: v1.DefaultPrometheusQuery, Step: metav1.Duration{Duration: time.Minute},
		RefreshInterval: metav1.Duration{Duration: interval}, MaxQueriesPerInterval: budget,
		Timeout: metav1.Duration{Duration: time.Second}, MaxResponseBytes: 1 << 20,
	}, time.Hour, clk)
	if err != nil {
		t.Fatal(err)
	}
	fastRetries(src.client)
	logs := &logLines{}
	logger := funcr.New(func(prefix, args string) {
		logs.mu.Lock()
		logs.lines = append(logs.lines, prefix+" "+args)
		logs.mu.Unlock()
	}, funcr.Options{})
	return src, clk, klog.NewContext(context.Background(), logger), logs
}

func deployment(name string) workload.Key {
	return workload.Key{Namespace: "shop", Kind: workload.KindDeployment, Name: name}
}

func TestSourceCachesAndServesLastGoodData(t *testing.T) {
	fs := newFakeServer(t, reply{status: 200, body: okBody})
	src, clk, ctx, logs := newTestSource(t, fs.URL, 10)
	web := deployment("web")
	if _, ok := src.History(web, at(0), at(1000)); ok {
		t.Fatal("History before any fetch: want no data")
	}
	src.Refresh(ctx)
	if q := <-fs.queries; q != `max(kube_deployment_status_replicas{namespace="shop",deployment="web"})` {
		t.Errorf("query = %s", q)
	}
	got, ok := src.History(web, at(0), at(1000))
	if diff := cmp.Diff(okPoints, got); !ok || diff != "" {
		t.Fatalf("History after a fetch (ok=%v) (-want +got):\n%s", ok, diff)
	}
	// Within the interval the cache answers: no new query.
	clk.Step(interval / 2)
	src.Refresh(ctx)
	if n := fs.requests.Load(); n != 1 {
		t.Errorf("requests within one interval = %d, want 1", n)
	}
	// The point in force at start is kept; points after end are not.
	got, _ = src.History(web, at(130), at(150))
	if diff := cmp.Diff(okPoints[:1], got); diff != "" {
		t.Errorf("History(130, 150) (-want +got):\n%s", diff)
	}
	if n := logs.count("failed"); n != 0 {
		t.Errorf("%d failure logs, want 0", n)
	}
}

func TestSourceFailureKeepsDataLogsOncePerIntervalAndRecovers(t *testing.T) {
	fs := newFakeServer(t, reply{status: 200, body: okBody}, reply{status: 500, body: "down"})
	src, clk, ctx, logs := newTestSource(t, fs.URL, 10)
	web, api := deployment("web"), deployment("api")
	src.History(web, at(0), at(1000))
	src.Refresh(ctx) // web: ok; every later request fails
	clk.Step(interval)
	src.Refresh(ctx) // web fails
	src.History(api, at(0), at(1000))
	clk.Step(time.Second)
	src.Refresh(ctx) // api fails, in the same interval: no second log
	if got, ok := src.History(web, at(0), at(2000)); !ok || !cmp.Equal(okPoints, got) {
		t.Errorf("History of web while the server fails = %v, %v; want the last good data", got, ok)
	}
	if _, ok := src.History(api, at(0), at(2000)); ok {
		t.Error("History of api (never fetched) = ok, want no data: the caller falls back")
	}
	if n := logs.count("Prometheus history refresh failed"); n != 1 {
		t.Errorf("%d failure logs in one interval, want 1", n)
	}
	clk.Step(interval)
	src.Refresh(ctx)
	if n := logs.count("Prometheus history refresh failed"); n != 2 {
		t.Errorf("%d failure logs after two intervals, want 2", n)
	}
	// The server comes back: the next round recovers by itself.
	fs.Config.Handler = okHandler(fs)
	clk.Step(interval)
	src.Refresh(ctx)
	if n := logs.count("recovered"); n != 1 {
		t.Errorf("%d recovery logs, want 1", n)
	}
	if _, ok := src.History(api, at(0), at(2000)); !ok {
		t.Error("History of api after recovery: want data")
	}
}

func TestSourceQueryBudget(t *testing.T) {
	fs := newFakeServer(t, reply{status: 200, body: okBody})
	src, clk, ctx, _ := newTestSource(t, fs.URL, 2)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		src.History(deployment(n), at(0), at(1000))
	}
	want := []int32{2, 2, 4, 4, 6} // never-tried owners first, then the stalest
	for i, step := range []time.Duration{0, time.Minute, interval, time.Second, interval} {
		clk.Step(step)
		src.Refresh(ctx)
		if got := fs.requests.Load(); got != want[i] {
			t.Errorf("round %d: %d requests in total, want %d (budget 2 per %v)", i, got, want[i], interval)
		}
	}
}

func TestSourceOwnersWithoutQuery(t *testing.T) {
	fs := newFakeServer(t, reply{status: 200, body: okBody})
	src, _, ctx, _ := newTestSource(t, fs.URL, 10)
	job := workload.Key{Namespace: "shop", Kind: workload.KindJob, Name: "nightly"}
	bare := workload.Key{Namespace: "shop", Kind: workload.KindPod, Name: "debug"}
	src.History(job, at(0), at(1000))
	src.History(bare, at(0), at(1000))
	src.Refresh(ctx)
	if n := fs.requests.Load(); n != 0 {
		t.Errorf("%d requests for a Job and a bare pod, want 0 (the default query covers Deployments and StatefulSets)", n)
	}
}

func TestSourceForgetsOwnersNotAskedFor(t *testing.T) {
	fs := newFakeServer(t, reply{status: 200, body: okBody})
	src, clk, ctx, _ := newTestSource(t, fs.URL, 10)
	src.History(deployment("gone"), at(0), at(1000))
	src.Refresh(ctx)
	clk.Step(2 * time.Hour)
	src.Refresh(ctx)
	if n := len(src.owners); n != 0 {
		t.Errorf("%d owners cached two windows after the last ask, want 0", n)
	}
}

func TestNewSourceRejectsABadTemplate(t *testing.T) {
	_, err := NewSource(config.PrometheusHistory{URL: "http://127.0.0.1:1", Query: "{{.Owner}}"}, time.Hour, clocktesting.NewFakeClock(at(0)))
	if err == nil || !strings.Contains(err.Error(), "query") {
		t.Fatalf("error = %v, want a query template error", err)
	}
}

// TestHistoryDoesNotWaitForTheNetwork: while a refresh hangs on a server
// that does not answer, History still answers (from the cache) at once.
func TestHistoryDoesNotWaitForTheNetwork(t *testing.T) {
	arrived, release := make(chan struct{}, 10), make(chan struct{})
	fs := newFakeServer(t, reply{status: 200, body: okBody})
	fs.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		arrived <- struct{}{}
		<-release
		_, _ = fmt.Fprint(w, okBody)
	})
	src, _, ctx, _ := newTestSource(t, fs.URL, 10)
	web := deployment("web")
	src.History(web, at(0), at(1000))
	done := make(chan struct{})
	go func() { src.Refresh(ctx); close(done) }()
	<-arrived // the refresher is now waiting on the server
	if _, ok := src.History(web, at(0), at(1000)); ok {
		t.Error("History during the first fetch: want no data yet")
	}
	src.History(deployment("api"), at(0), at(1000)) // a new owner: queued, not fetched inline
	close(release)
	<-done
	if _, ok := src.History(web, at(0), at(1000)); !ok {
		t.Error("History after the fetch: want data")
	}
}
