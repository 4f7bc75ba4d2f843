package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
)

// TestPrometheusHistoryDown runs the built scheduler with Steadiness's
// history.prometheus pointed at a server that fails every query: pods are
// scheduled all the same (Filter/Score never wait on it), the failure is
// logged at most once per refresh interval, and when the server answers
// again the scheduler recovers by itself.
func TestPrometheusHistoryDown(t *testing.T) {
	e := setup(t)
	api := e.apiServer(t)
	ctx := t.Context()

	var healthy atomic.Bool
	var queries atomic.Int32
	prom := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries.Add(1)
		if !healthy.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = fmt.Fprint(w, `{"status":"error","errorType":"internal","error":"storage unavailable"}`)
			return
		}
		now := time.Now().Unix()
		_, _ = fmt.Fprintf(w, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[%d,"3"],[%d,"3"]]}]}}`, now-600, now)
	}))
	defer prom.Close()

	namespaces := []string{createNamespace(ctx, t, api, "promdown")}
	nodes := []*v1.Node{controlPlaneNode(), aciNode(t, e)}
	for _, w := range workerNames {
		nodes = append(nodes, workerNode(w))
	}
	createNodes(ctx, t, api, nodes...)
	t.Cleanup(func() { cleanUpCluster(t, api, nodes, &namespaces) })
	kubeconfig := api.writeKubeconfig(t, schedulerToken(ctx, t, e, api))
	shipped, err := os.ReadFile(filepath.Join(e.root, "manifests", "scheduler-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const interval = 2 * time.Second
	config := replace(shipped, "longRunningJob: 1h", "longRunningJob: 1h\n          history:\n            prometheus:\n"+
		"              url: "+prom.URL+"\n              refreshInterval: 2s\n              timeout: 1s\n")(t)
	sched := startScheduler(ctx, t, e, config, kubeconfig)

	web := createDeployment(ctx, t, api, namespaces[0], "web", webPodSpec())
	start := time.Now()
	waitBound(ctx, t, api, sched, web.scaleTo(ctx, t, 3))
	failed := func() int { return len(sched.logLines("Prometheus history refresh failed")) }
	deadline := time.Now().Add(pollTimeout)
	for failed() == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(3 * interval) // a few more failing rounds
	n, elapsed := failed(), time.Since(start)
	if n == 0 || n > int(elapsed/interval)+1 {
		t.Errorf("%d failure logs in %v with a %v refresh interval, want between 1 and %d", n, elapsed.Round(time.Second), interval, int(elapsed/interval)+1)
	}
	if queries.Load() == 0 {
		t.Error("the scheduler never queried Prometheus")
	}

	healthy.Store(true)
	deadline = time.Now().Add(pollTimeout)
	for len(sched.logLines("Prometheus history refresh recovered")) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if len(sched.logLines("Prometheus history refresh recovered")) == 0 {
		t.Errorf("no recovery logged %v after Prometheus came back; failure lines:\n%s", pollTimeout, strings.Join(sched.logLines("Prometheus history"), "\n"))
	}
	waitBound(ctx, t, api, sched, web.scaleTo(ctx, t, 4))
}
