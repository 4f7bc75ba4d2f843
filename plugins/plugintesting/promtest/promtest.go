// Package promtest runs a real Prometheus server (Debian's prometheus
// package: /usr/bin/prometheus and /usr/bin/promtool) on loopback for
// tests, its TSDB backfilled from a generated series with
// `promtool tsdb create-blocks-from openmetrics`.
package promtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spillway-dev/spillway/plugins/internal/workload"
)

// Series is one gauge series to backfill.
type Series struct {
	Metric string
	Labels map[string]string
	Points []workload.Point
}

// OpenMetrics renders series as an OpenMetrics text exposition with
// timestamps, as promtool reads it.
func OpenMetrics(series ...Series) string {
	var b strings.Builder
	typed := map[string]bool{}
	for _, s := range series {
		if !typed[s.Metric] {
			fmt.Fprintf(&b, "# TYPE %s gauge\n", s.Metric)
			typed[s.Metric] = true
		}
		keys := make([]string, 0, len(s.Labels))
		for k := range s.Labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		pairs := make([]string, len(keys))
		for i, k := range keys {
			pairs[i] = fmt.Sprintf("%s=%q", k, s.Labels[k])
		}
		for _, p := range s.Points {
			fmt.Fprintf(&b, "%s{%s} %d %d\n", s.Metric, strings.Join(pairs, ","), p.Count, p.At.Unix())
		}
	}
	b.WriteString("# EOF\n")
	return b.String()
}

// Start backfills a fresh TSDB with openMetrics and starts Prometheus on
// it, on a free 127.0.0.1 port, as its own process (not the system
// service Debian's package may have started). It returns the server's base
// URL once the server is ready; the server stops when the test ends.
// Without prometheus or promtool the test is skipped, or fails when the
// CI environment variable is set (CI must install them).
func Start(t *testing.T, openMetrics string) string {
	t.Helper()
	prom, promtool := lookPath(t, "prometheus"), lookPath(t, "promtool")
	dir := t.TempDir()
	input, tsdb := filepath.Join(dir, "series.om"), filepath.Join(dir, "tsdb")
	if err := os.WriteFile(input, []byte(openMetrics), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet", input, tsdb).CombinedOutput(); err != nil {
		t.Fatalf("promtool tsdb create-blocks-from openmetrics: %v\n%s", err, out)
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global:\n  scrape_interval: 1m\nscrape_configs: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	var logs bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, prom, "--config.file="+cfg, "--storage.tsdb.path="+tsdb,
		"--storage.tsdb.retention.time=3650d", "--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting prometheus: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			t.Logf("prometheus output:\n%s", logs.String())
		}
	})
	url := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url + "/-/ready")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		select {
		case <-done:
			t.Fatalf("prometheus exited before it was ready:\n%s", logs.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready after 60s:\n%s", logs.String())
		}
	}
}

func lookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" || os.Getenv("SPILLWAY_REQUIRE_TEST_TOOLS") != "" {
		t.Fatalf("%s is not installed: hack/test-deps.sh (make test-deps) installs Debian's prometheus package", name)
	}
	t.Skipf("%s is not installed (make test-deps installs it); skipping the test against a real Prometheus", name)
	return ""
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}

// AfternoonTriples is a Deployment's replica count over the three days
// before end, a point a minute: 2 replicas, 6 from 13:00 to 18:00 UTC (a
// workload that triples every afternoon).
func AfternoonTriples(end time.Time) []workload.Point {
	var pts []workload.Point
	for at := end.Add(-72 * time.Hour); !at.After(end); at = at.Add(time.Minute) {
		n := 2
		if h := at.Hour(); h >= 13 && h < 18 {
			n = 6
		}
		pts = append(pts, workload.Point{At: at, Count: n})
	}
	return pts
}
