package e2e

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/yaml"
)

// The faults that faultProxy injects into binding POSTs, in turn.
const (
	faultInternalError = "500"           // 500, no Retry-After: the scheduler's own retry
	faultUnavailable   = "503"           // 503, no Retry-After
	faultThrottled     = "429"           // 429 with Retry-After: 1, which client-go retries itself
	faultStall         = "stall"         // no answer for stallFor, then 504: the request never arrived
	faultLostResponse  = "lost-response" // the binding is made, but the answer is a 504 after stallFor
)

var bindingFaults = []string{faultInternalError, faultUnavailable, faultThrottled, faultStall, faultLostResponse}

// stallFor is how long a stalled request waits for its answer.
const stallFor = 3 * time.Second

// faultProxy is a reverse proxy on 127.0.0.1 between the scheduler and the
// API server. Switched on, it answers every binding POST with one of
// bindingFaults in turn, and every fourth other request (but the
// scheduler's lease: losing it would end the process by design) with a 503.
type faultProxy struct {
	srv *httptest.Server
	rp  *httputil.ReverseProxy
	on  atomic.Bool

	mu        sync.Mutex
	turn      int
	injected  map[string]int
	bindings  int         // binding POSTs received
	upstream  map[int]int // status codes of the binding POSTs forwarded
	others    int
	otherHits int
	refused   map[string]bool // pods whose binding was refused (not made) at least once
}

func startFaultProxy(t *testing.T, api *apiServer) *faultProxy {
	t.Helper()
	target, err := url.Parse(api.config.Host)
	if err != nil {
		t.Fatal(err)
	}
	// The server's CA and loopback name; the clients' own bearer tokens
	// pass through.
	tlsOnly := restclient.CopyConfig(api.config)
	tlsOnly.BearerToken, tlsOnly.BearerTokenFile = "", ""
	tlsCfg, err := restclient.TLSConfigFor(tlsOnly)
	if err != nil {
		t.Fatal(err)
	}
	up := &http.Transport{TLSClientConfig: tlsCfg, ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 100}
	fp := &faultProxy{injected: map[string]int{}, upstream: map[int]int{}, refused: map[string]bool{}}
	fp.rp = &httputil.ReverseProxy{
		Rewrite:       func(r *httputil.ProxyRequest) { r.SetURL(target) },
		Transport:     up,
		FlushInterval: -1, // watches stream
	}
	fp.srv = httptest.NewUnstartedServer(http.HandlerFunc(fp.serve))
	fp.srv.StartTLS()
	t.Cleanup(func() {
		fp.srv.CloseClientConnections()
		fp.srv.Close()
		up.CloseIdleConnections()
	})
	return fp
}

func (fp *faultProxy) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/binding") {
		fp.binding(w, r)
		return
	}
	if fp.on.Load() && !strings.Contains(r.URL.Path, "/leases/") {
		fp.mu.Lock()
		fp.others++
		hit := fp.others%4 == 0
		if hit {
			fp.otherHits++
		}
		fp.mu.Unlock()
		if hit {
			writeStatus(w, http.StatusServiceUnavailable, "ServiceUnavailable")
			return
		}
	}
	fp.rp.ServeHTTP(w, r)
}

func (fp *faultProxy) binding(w http.ResponseWriter, r *http.Request) {
	fp.mu.Lock()
	fp.bindings++
	fault := ""
	if fp.on.Load() {
		fault = bindingFaults[fp.turn%len(bindingFaults)]
		fp.turn++
		fp.injected[fault]++
		if fault != faultLostResponse {
			// .../namespaces/<ns>/pods/<name>/binding
			parts := strings.Split(r.URL.Path, "/")
			fp.refused[parts[len(parts)-2]] = true
		}
	}
	fp.mu.Unlock()
	switch fault {
	case faultInternalError:
		writeStatus(w, http.StatusInternalServerError, "InternalError")
	case faultUnavailable:
		writeStatus(w, http.StatusServiceUnavailable, "ServiceUnavailable")
	case faultThrottled:
		w.Header().Set("Retry-After", "1")
		writeStatus(w, http.StatusTooManyRequests, "TooManyRequests")
	case faultStall:
		sleepCtx(r, stallFor)
		writeStatus(w, http.StatusGatewayTimeout, "Timeout")
	case faultLostResponse:
		rec := httptest.NewRecorder()
		fp.rp.ServeHTTP(rec, r)
		fp.countUpstream(rec.Code)
		sleepCtx(r, stallFor)
		writeStatus(w, http.StatusGatewayTimeout, "Timeout")
	default:
		sw := &statusWriter{ResponseWriter: w}
		fp.rp.ServeHTTP(sw, r)
		fp.countUpstream(sw.code)
	}
}

func (fp *faultProxy) countUpstream(code int) {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	fp.upstream[code]++
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

func sleepCtx(r *http.Request, d time.Duration) {
	select {
	case <-r.Context().Done():
	case <-time.After(d):
	}
}

// writeStatus answers as the API server does: a Status object.
func writeStatus(w http.ResponseWriter, code int, reason string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"injected by the test's proxy","reason":%q,"code":%d}`, reason, code)
}

// kubeconfig writes a kubeconfig that reaches the API server through the
// proxy with token.
func (fp *faultProxy) kubeconfig(t *testing.T, token string) string {
	t.Helper()
	kc := clientcmdapi.NewConfig()
	kc.Clusters["proxy"] = &clientcmdapi.Cluster{
		Server:                   fp.srv.URL,
		CertificateAuthorityData: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: fp.srv.Certificate().Raw}),
	}
	kc.AuthInfos["proxy"] = &clientcmdapi.AuthInfo{Token: token}
	kc.Contexts["proxy"] = &clientcmdapi.Context{Cluster: "proxy", AuthInfo: "proxy"}
	kc.CurrentContext = "proxy"
	file := filepath.Join(t.TempDir(), "kubeconfig-proxy")
	if err := clientcmd.WriteToFile(*kc, file); err != nil {
		t.Fatal(err)
	}
	return file
}

type faultCounts struct {
	injected         map[string]int
	bindings, others int
	otherHits        int
	upstream         map[int]int
	refused          map[string]bool
}

func (fp *faultProxy) counts() faultCounts {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	c := faultCounts{injected: map[string]int{}, upstream: map[int]int{}, refused: map[string]bool{},
		bindings: fp.bindings, others: fp.others, otherHits: fp.otherHits}
	for k := range fp.refused {
		c.refused[k] = true
	}
	for k, v := range fp.injected {
		c.injected[k] = v
	}
	for k, v := range fp.upstream {
		c.upstream[k] = v
	}
	return c
}

// TestAPIFaults puts the fault proxy between the scheduler and the API
// server and switches it on while a burst is scheduled: for a while every
// binding fails (500, 503, 429, stalls, and bindings made whose answer is
// lost) and a quarter of the other requests get a 503. The scheduler must
// not crash, must retry, and every pod must end bound exactly once.
func TestAPIFaults(t *testing.T) {
	const n = 300
	const window = 10 * time.Second
	c := newRelCluster(t, "faults")
	ctx := t.Context()
	fp := startFaultProxy(t, c.api)
	// The lease renewals pass the proxy unharmed, but on a loaded machine
	// the API server (under -race, in this process) can take longer than the
	// 10 s renew deadline to answer them, and kube-scheduler then exits by
	// design (TestLeaderElection covers that path): here the deadline is
	// longer, so that only the injected faults are under test.
	config := withLeaseTimes(t, c.config, 60*time.Second, 45*time.Second)
	sched := startScheduler(ctx, t, c.e, config, fp.kubeconfig(t, c.token))
	pods := c.burstJob(ctx, t, "faults", n)

	fp.on.Store(true)
	start := time.Now()
	c.createAtOnce(ctx, t, pods)
	// On for the window, and until every fault was injected at least twice.
	for time.Since(start) < window || !allInjected(fp.counts(), 2) {
		if err := sched.alive(); err != nil {
			t.Fatalf("the scheduler crashed under API faults: %v", err)
		}
		if time.Since(start) > 2*time.Minute {
			t.Fatalf("the faults were not all injected in 2 minutes: %v", fp.counts().injected)
		}
		time.Sleep(100 * time.Millisecond)
	}
	fp.on.Store(false)
	off := time.Now()
	during := c.kubelet.counts().bound
	c.kubelet.waitCounts(ctx, t, "every pod is bound", placeTimeout, sched, func(k kubeletCounts) bool { return k.bound >= n })
	done := c.kubelet.counts().lastBound

	c.checkAllBoundOnce(ctx, t, pods)
	got := fp.counts()
	injected := 0
	for _, f := range bindingFaults {
		injected += got.injected[f]
	}
	// Every pod whose binding was refused was bound later: the scheduler
	// tried again (the check above finds every pod bound; this one names
	// the pods that the faults hit).
	bound := map[string]bool{}
	list, err := c.api.client.CoreV1().Pods(c.ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list.Items {
		bound[p.Name] = p.Spec.NodeName != ""
	}
	var notRetried []string
	for name := range got.refused {
		if !bound[name] {
			notRetried = append(notRetried, name)
		}
	}
	if len(notRetried) > 0 {
		t.Errorf("%d pods whose binding was refused were never bound: %v", len(notRetried), notRetried)
	}
	if len(got.refused) < n/10 {
		t.Errorf("the faults hit the bindings of only %d pods, want at least %d", len(got.refused), n/10)
	}
	if err := sched.alive(); err != nil {
		t.Errorf("the scheduler did not survive: %v", err)
	}
	checkSchedulerLog(t, sched)
	t.Logf("proxy: %d binding POSTs, injected %v; upstream answers to forwarded bindings %v; %d of %d other requests refused",
		got.bindings, got.injected, got.upstream, got.otherHits, got.others)
	recordResult(t, "faults", "pods", n, "window_s", off.Sub(start).Seconds(), "bound_during_faults", during,
		"binding_faults", injected, "pods_refused", len(got.refused), "binding_posts", got.bindings, "conflicts", got.upstream[http.StatusConflict],
		"other_503", got.otherHits, "recovery_s", done.Sub(off).Seconds())
}

func allInjected(c faultCounts, k int) bool {
	for _, f := range bindingFaults {
		if c.injected[f] < k {
			return false
		}
	}
	return true
}

// withLeaseTimes returns the configuration with other leader-election
// lease and renew durations.
func withLeaseTimes(t *testing.T, config []byte, lease, renew time.Duration) []byte {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal(config, &m); err != nil {
		t.Fatal(err)
	}
	le, _ := m["leaderElection"].(map[string]any)
	if le == nil {
		t.Fatal("the configuration has no leaderElection")
	}
	le["leaseDuration"], le["renewDeadline"] = lease.String(), renew.String()
	out, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
