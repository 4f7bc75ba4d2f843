// Package simulator replays a workload trace through the real
// kube-scheduler framework, built from a KubeSchedulerConfiguration
// profile, over a simulated cluster of VMs and virtual nodes, event by
// event on a virtual clock (no empty ticks), and measures what the run
// costs and how long pods wait to start.
package simulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/inprocess"
	"github.com/spillway-dev/spillway/simulator/trace"
)

// Epoch is the wall-clock time the plugins see at simulated second 0.
var Epoch = time.Date(2026, time.January, 5, 0, 0, 0, 0, time.UTC)

// Config is one simulation run.
type Config struct {
	// Trace is read one event at a time; TraceName names it in errors.
	Trace     io.Reader
	TraceName string
	Cluster   *cluster.Cluster
	// Profile schedules every pod of the trace, whatever the pod's
	// spec.schedulerName says.
	Profile *config.KubeSchedulerProfile
	// Seed drives the random parts: cold-start times and pod name suffixes.
	Seed int64
	// Until stops the run at this simulated second; 0 runs to the last
	// event or pod completion.
	Until float64
	// Decisions, when set, receives one JSON line per scheduling attempt.
	Decisions io.Writer
	// Progress, when set, is called now and then with the trace bytes read.
	Progress func(bytesRead int64)
	// TraceHistory makes Steadiness read the trace's own past (the replica
	// counts the trace gave each Deployment and StatefulSet before the
	// simulated now) as its history source, as a scheduler reads
	// Prometheus with history.prometheus set. Off: the in-cluster window
	// only (history.prometheus is never contacted by the simulator).
	TraceHistory bool
}

// Run simulates cfg and returns what it measured. Given the same inputs
// and seed, everything but Summary.Sim.WallS and PodsPerS is identical
// from run to run.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Cluster == nil || cfg.Profile == nil || cfg.Trace == nil {
		return nil, errors.New("simulator: Config needs Trace, Cluster and Profile")
	}
	if !(cfg.Until >= 0 && cfg.Until <= trace.MaxSeconds) {
		return nil, fmt.Errorf("simulator: until: want 0..%d seconds (trace.MaxSeconds), got %v", trace.MaxSeconds, cfg.Until)
	}
	start := time.Now()
	e, err := newEngine(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := e.run(ctx); err != nil {
		return nil, err
	}
	res := e.result()
	wall := time.Since(start).Seconds()
	res.Summary.Sim.WallS = wall
	if wall > 0 {
		res.Summary.Sim.PodsPerS = float64(res.Summary.Sim.SchedulingAttempts) / wall
	}
	return res, nil
}

// engine is the state of one run.
type engine struct {
	cfg    Config
	logger klog.Logger
	clock  *testingclock.FakePassiveClock
	sched  *inprocess.Scheduler
	reader *trace.Reader
	rng    *rand.Rand // pod name suffixes
	// coldPCG and coldRNG draw cold starts: reseeded for every draw from
	// (seed, pod, attempt), so that the same pod draws the same cold start
	// in every scenario however many pods went serverless before it
	// (common random numbers: scenarios differ by their decisions, not by
	// their luck).
	coldPCG  *rand.PCG
	coldRNG  *rand.Rand
	now      float64
	timeline timeline
	queue    *pending

	nodes     map[string]*nodeState
	backends  []string
	pods      map[string]*simPod // live pods by namespace/name
	workloads map[string]*workload
	owners    map[string]bool // controllers of created pods already published
	podSeq    int64

	history    *TraceHistory // nil unless Config.TraceHistory
	acct       accounting
	decisions  *decisionWriter
	events     int64
	attempts   int64
	inCycle    time.Duration // wall time inside the framework's scheduling cycles
	inRemoval  time.Duration // wall time removing pods from the framework
	refusals   int64
	backendCPU []int64 // CPU requested on each backend's nodes, by backend index
}

func newEngine(ctx context.Context, cfg Config) (*engine, error) {
	clk := testingclock.NewFakePassiveClock(Epoch)
	sched, err := inprocess.New(ctx, cfg.Profile, clk, nil)
	if err != nil {
		return nil, fmt.Errorf("simulator: building profile %q: %w", cfg.Profile.SchedulerName, err)
	}
	e := &engine{
		cfg: cfg, logger: klog.FromContext(ctx), clock: clk, sched: sched,
		reader:  trace.NewReader(cfg.Trace, cfg.TraceName),
		rng:     rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5b111a7)),
		coldPCG: rand.NewPCG(0, 0),
		queue:   newPending(), nodes: map[string]*nodeState{},
		pods: map[string]*simPod{}, workloads: map[string]*workload{}, owners: map[string]bool{},
	}
	if cfg.TraceHistory {
		e.history = NewTraceHistory(TraceHistoryKeep)
		sched.UseHistory(e.history)
	}
	backendIndex := map[string]int{}
	for _, v := range cfg.Cluster.Virtual {
		if _, ok := backendIndex[v.Backend.Name]; !ok {
			backendIndex[v.Backend.Name] = 0
			e.backends = append(e.backends, v.Backend.Name)
		}
	}
	sortStrings(e.backends)
	for i, b := range e.backends {
		backendIndex[b] = i
	}
	for i := range cfg.Cluster.Dedicated {
		d := &cfg.Cluster.Dedicated[i]
		e.nodes[d.Node.Name] = &nodeState{name: d.Node.Name, dedicated: d}
		sched.AddNode(d.Node.DeepCopy())
	}
	for i := range cfg.Cluster.Virtual {
		v := &cfg.Cluster.Virtual[i]
		e.nodes[v.Node.Name] = &nodeState{name: v.Node.Name, virtual: v, backend: backendIndex[v.Backend.Name]}
		sched.AddNode(v.Node.DeepCopy())
	}
	e.acct.init(cfg.Cluster, len(e.backends))
	e.backendCPU = make([]int64, len(e.backends))
	if cfg.Decisions != nil {
		e.decisions = newDecisionWriter(cfg.Decisions)
	}
	return e, nil
}

// run is the event loop: the next instant is the earliest of the next
// trace event and the next engine event; everything at that instant is
// handled, then the active queue is drained through the scheduler.
func (e *engine) run(ctx context.Context) error {
	next, haveNext, err := e.readEvent()
	if err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		t, ok := e.timeline.peek()
		if haveNext && (!ok || next.At <= t) {
			t, ok = next.At, true
		}
		if !ok || (!haveNext && e.timeline.real == 0) {
			break
		}
		if e.cfg.Until > 0 && t > e.cfg.Until {
			break
		}
		e.advance(t)
		for {
			at, ok := e.timeline.peek()
			if !ok || at != t {
				break
			}
			if err := e.handle(ctx, e.timeline.pop()); err != nil {
				return err
			}
		}
		for haveNext && next.At == t {
			if err := e.apply(ctx, next); err != nil {
				return &trace.Error{Source: e.cfg.TraceName, Line: e.reader.Line(), Err: err}
			}
			if next, haveNext, err = e.readEvent(); err != nil {
				return err
			}
		}
		if err := e.scheduleActive(ctx); err != nil {
			return err
		}
	}
	end := e.now
	if e.cfg.Until > 0 {
		end = e.cfg.Until
	}
	e.advance(end)
	e.finish()
	if e.decisions != nil {
		return e.decisions.flush()
	}
	return nil
}

func (e *engine) readEvent() (trace.Event, bool, error) {
	ev, err := e.reader.Next()
	if errors.Is(err, io.EOF) {
		return trace.Event{}, false, nil
	}
	if err != nil {
		return trace.Event{}, false, err
	}
	e.events++
	if e.cfg.Progress != nil && e.events%1024 == 0 {
		e.cfg.Progress(e.reader.BytesRead())
	}
	return ev, true, nil
}

// advance moves the clock to t, accruing costs and writing samples for
// every minute boundary passed.
func (e *engine) advance(t float64) {
	if t < e.now {
		return
	}
	e.acct.advance(e, t)
	e.now = t
	e.clock.SetTime(Epoch.Add(time.Duration(t * float64(time.Second))))
}

// handle runs one engine event.
func (e *engine) handle(ctx context.Context, ev event) error {
	p := ev.pod
	switch ev.kind {
	case evStart:
		if p.state == stBound && !p.running {
			p.running, p.runningAt = true, e.now
			e.acct.started(e.now - p.created)
			e.scheduleFinish(p)
		}
	case evFinish:
		if p.state == stBound && ev.gen == p.gen {
			return e.end(p, true)
		}
	case evRetry, evFlush:
		if ev.gen == p.gen && (p.state == stBackoff || p.state == stUnschedulable) {
			if p.state == stUnschedulable {
				delete(e.queue.unschedulable, p)
			}
			e.queue.activate(p, e.now)
		}
	}
	return nil
}

func (e *engine) scheduleFinish(p *simPod) {
	if p.runFor != nil {
		e.timeline.push(event{at: e.now + *p.runFor, kind: evFinish, pod: p, gen: p.gen})
	}
}

// coldStart draws a virtual node's start-up time for pod p from a
// log-normal distribution with the backend's p50 and p95, from the
// generator seeded by (seed, p's creation order, its attempt).
func (e *engine) coldStart(n *nodeState, p *simPod) float64 {
	l := n.virtual.Startup
	if l.P50 <= 0 {
		return 0
	}
	sigma := 0.0
	if l.P95 > l.P50 {
		sigma = math.Log(l.P95/l.P50) / 1.6448536269514722
	}
	if e.coldRNG == nil {
		e.coldRNG = rand.New(e.coldPCG)
	}
	e.coldPCG.Seed(uint64(e.cfg.Seed), uint64(p.seq)<<20^uint64(p.attempts))
	// Bounded like a trace's times, so that no draw (a cluster file with
	// a tiny p50 and a large p95) sends the clock, and the per-minute
	// series, past what a trace can.
	return min(l.P50*math.Exp(sigma*e.coldRNG.NormFloat64()), trace.MaxSeconds)
}

// removePod removes a bound pod from the framework, timed.
func (e *engine) removePod(bound *v1.Pod) error {
	began := time.Now()
	err := e.sched.RemovePod(bound)
	e.inRemoval += time.Since(began)
	return err
}

// podName gives a pod a namespace/name key.
func podKey(pod *v1.Pod) string { return trace.Namespace(pod) + "/" + pod.Name }
