package e2e

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// TestExplanations runs the built scheduler with the shipped configuration
// on a control plane, one worker and the ACI node, and reads what it says
// about its decisions: an Event on a pod it sent to ACI and on a pod ACI
// refused (which went to the worker), each one line with the backend, the
// expected cost against the alternative and the steadiness class; and, on
// /metrics, every plugin's series with the profile label.
func TestExplanations(t *testing.T) {
	e := setup(t)
	api := e.apiServer(t)
	ctx := t.Context()

	const worker = "explain-worker"
	nodes := []*v1.Node{controlPlaneNode(), workerNode(worker), aciNode(t, e)}
	createNodes(ctx, t, api, nodes...)
	ns := createNamespace(ctx, t, api, fmt.Sprintf("explain-%d", time.Now().UnixNano()))
	namespaces := []string{ns}
	t.Cleanup(func() { cleanUpCluster(t, api, nodes, &namespaces) })

	kubeconfig := api.writeKubeconfig(t, schedulerToken(ctx, t, e, api))
	config, err := os.ReadFile(filepath.Join(e.root, "manifests", "scheduler-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// /metrics without credentials, as a test scraper (in a cluster,
	// Prometheus authenticates as a ServiceAccount allowed to get /metrics).
	sched := startScheduler(ctx, t, e, config, kubeconfig, "--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics")

	// The worker holds 3 of its 4 CPUs: a 2-CPU pod fits only on ACI.
	filler := newPod(ns, "filler", "3", "1Gi", func(p *v1.Pod) { p.Spec.NodeName = worker })
	withInit := func(p *v1.Pod) { p.Spec.InitContainers = []v1.Container{{Name: "migrate", Image: pauseImage}} }
	burst := func(p *v1.Pod) { p.Annotations["spillway.dev/steadiness"] = "burst" }
	pods := createPods(ctx, t, api, filler,
		newPod(ns, "to-aci", "2", "2Gi", tolerateVirtualKubelet, burst),
		newPod(ns, "refused", "100m", "64Mi", tolerateVirtualKubelet, withInit))
	bound := waitBound(ctx, t, api, sched, pods[1:])
	if bound[0].Spec.NodeName != aciNodeName || bound[1].Spec.NodeName != worker {
		t.Fatalf("to-aci went to %q (want %s), refused to %q (want %s)", bound[0].Spec.NodeName, aciNodeName, bound[1].Spec.NodeName, worker)
	}

	for _, tc := range []struct {
		pod, reason string
		want        []string
	}{
		{"to-aci", "SpillwayServerless", []string{"placed on aci (node " + aciNodeName + ")", "expected $", "no VM could take it", "steadiness: burst (annotation)"}},
		{"refused", "SpillwayServerlessRefused", []string{"placed on a VM (node " + worker + ")", "expected $", "kept off serverless: aci cannot run this pod: InitContainers"}},
	} {
		ev := waitEvent(ctx, t, api, ns, tc.pod, tc.reason)
		if strings.Contains(ev.Note, "\n") {
			t.Errorf("%s: the explanation is not one line: %q", tc.pod, ev.Note)
		}
		for _, w := range tc.want {
			if !strings.Contains(ev.Note, w) {
				t.Errorf("%s: Event %s %q lacks %q", tc.pod, tc.reason, ev.Note, w)
			}
		}
		if ev.ReportingController != "spillway" && !strings.Contains(ev.ReportingController, "scheduler") {
			t.Errorf("%s: Event reported by %q, want the scheduler", tc.pod, ev.ReportingController)
		}
	}

	metrics := scrape(ctx, t, sched)
	for _, want := range []string{
		`spillway_placements_total{backend="aci",profile="spillway"} 1`,
		`spillway_placements_total{backend="vm",profile="spillway"} 1`,
		`spillway_serverless_refusals_total{backend="aci",profile="spillway",rule="InitContainers"}`,
		`spillway_steadiness_classifications_total{class="burst",profile="spillway",source="annotation"} 1`,
		`spillway_price_catalog_refresh_failures_total{source="refresh"} 0`,
		`spillway_price_catalog_refresh_failures_total{source="file"} 0`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s; Spillway's series:\n%s", want, grepLines(metrics, "spillway_"))
		}
	}
}

// waitEvent waits for an events.k8s.io Event with reason on a pod.
func waitEvent(ctx context.Context, t *testing.T, api *apiServer, ns, pod, reason string) eventsv1.Event {
	t.Helper()
	var found eventsv1.Event
	err := wait.PollUntilContextTimeout(ctx, pollInterval, pollTimeout, true, func(ctx context.Context) (bool, error) {
		list, err := api.client.EventsV1().Events(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, ev := range list.Items {
			if ev.Regarding.Name == pod && ev.Reason == reason {
				found = ev
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("no Event %s on pod %s/%s: %v", reason, ns, pod, err)
	}
	return found
}

// scrape reads the scheduler's /metrics on its secure port.
func scrape(ctx context.Context, t *testing.T, p *schedulerProcess) string {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("https://127.0.0.1:%d/metrics", p.port), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %v\n%s", resp.StatusCode, err, body)
	}
	return string(body)
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
