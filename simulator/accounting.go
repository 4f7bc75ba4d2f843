package simulator

import (
	"fmt"
	"math"
	"sort"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/spillway-dev/spillway/simulator/cluster"
)

// sampleEvery is the length of a time-series row, in seconds.
const sampleEvery = 60.0

// maxWarnings bounds the warnings a run keeps.
const maxWarnings = 20

// accounting accrues cost and counts pods as the run goes. Serverless cost
// accrues per second at the billed shape's rate while a pod is bound; when
// the pod ends, its bill's rounding and minimum are added, so the running
// total ends equal to the sum of the bills.
type accounting struct {
	dedicatedPerS         float64
	workCPU, workMem      int64 // allocatable of the VMs that take workloads
	serverlessPerS        float64
	last                  float64
	bucketDed             float64
	bucketSrv             float64
	cumulative            float64
	nextSample            float64
	samples               []Sample
	podsCreated, unplaced int64
	dedicatedPods         int64
	serverlessPods        []int64
	serverlessUSD         []float64
	latency               *hdrhistogram.Histogram
	bars                  latencyBars
	latMax, latSum        float64
	latN                  int64
	warnings              []string
	demandCPU, demandMem  int64 // requests of the live pods
	peakCPU, peakMem      int64
}

func (a *accounting) init(c *cluster.Cluster, backends int) {
	a.dedicatedPerS = c.DedicatedHourlyUSD() / 3600
	for _, d := range c.Dedicated {
		if d.Workload {
			a.workCPU += d.Node.Status.Allocatable.Cpu().MilliValue()
			a.workMem += d.Node.Status.Allocatable.Memory().Value()
		}
	}
	a.nextSample = sampleEvery
	a.serverlessPods = make([]int64, backends)
	a.serverlessUSD = make([]float64, backends)
	// Milliseconds, from 1 ms to 30 days, 3 significant digits.
	a.latency = hdrhistogram.New(1, 30*24*3600*1000, 3)
}

func (a *accounting) warn(format string, args ...any) {
	if len(a.warnings) < maxWarnings {
		a.warnings = append(a.warnings, fmt.Sprintf(format, args...))
	}
}

// accrue adds the cost of the time from a.last to t to the current row.
func (a *accounting) accrue(t float64) {
	if dt := t - a.last; dt > 0 {
		a.bucketDed += a.dedicatedPerS * dt
		a.bucketSrv += a.serverlessPerS * dt
		a.last = t
	}
}

// advance accrues cost up to t, closing a row at every minute boundary.
func (a *accounting) advance(e *engine, t float64) {
	for a.nextSample <= t {
		a.accrue(a.nextSample)
		a.sample(e, a.nextSample, sampleEvery)
		a.nextSample += sampleEvery
	}
	a.accrue(t)
}

// sample closes the row ending at end.
func (a *accounting) sample(e *engine, end, seconds float64) {
	a.cumulative += a.bucketDed + a.bucketSrv
	s := Sample{
		Minute: len(a.samples) + 1, End: end, Seconds: seconds,
		DedicatedUSD: a.bucketDed, ServerlessUSD: a.bucketSrv, CumulativeUSD: a.cumulative,
		PodsServerless: make([]int, len(e.backends)), Pending: e.queue.count,
	}
	var cpu, mem int64
	for _, n := range e.nodes {
		switch {
		case n.dedicated != nil:
			s.PodsDedicated += n.pods
			if n.dedicated.Workload {
				cpu += n.cpuMilli
				mem += n.memBytes
			}
		case n.virtual != nil:
			s.PodsServerless[n.backend] += n.pods
		}
	}
	if a.workCPU > 0 {
		s.VMCPUUtil = float64(cpu) / float64(a.workCPU)
	}
	if a.workMem > 0 {
		s.VMMemUtil = float64(mem) / float64(a.workMem)
	}
	a.samples = append(a.samples, s)
	a.bucketDed, a.bucketSrv = 0, 0
}

// created counts a new pod and its demand.
func (a *accounting) created(p *simPod) {
	a.podsCreated++
	a.demandCPU += p.cpuMilli
	a.demandMem += p.memBytes
	a.peakCPU = max(a.peakCPU, a.demandCPU)
	a.peakMem = max(a.peakMem, a.demandMem)
}

// gone ends a pod's demand.
func (a *accounting) gone(p *simPod) {
	a.demandCPU -= p.cpuMilli
	a.demandMem -= p.memBytes
}

func (a *accounting) neverPlaced() { a.unplaced++ }

func (a *accounting) started(latency float64) {
	ms := int64(math.Round(latency * 1000))
	_ = a.latency.RecordValue(max(ms, 1))
	a.latMax = max(a.latMax, latency)
	a.latSum += latency
	a.latN++
}

// placed starts the pod's serverless meter.
func (a *accounting) placed(e *engine, p *simPod) {
	n := p.node
	if n.dedicated != nil {
		a.dedicatedPods++
		return
	}
	a.serverlessPods[n.backend]++
	price := n.virtual.Price
	if price == nil {
		return
	}
	shape, err := price.Round(p.cpuMilli, p.memBytes)
	if err != nil {
		a.warn("%s on %s: %v; billed nothing", p.key, n.name, err)
		return
	}
	p.rate = price.HourlyUSD(shape, false) / 3600
	a.serverlessPerS += p.rate
}

// ended stops the pod's meter and adds the rest of its bill.
func (a *accounting) ended(e *engine, p *simPod) {
	n := p.node
	if n.virtual == nil || n.virtual.Price == nil || p.rate == 0 {
		return
	}
	secs := e.now - p.boundAt
	bill, err := n.virtual.Price.Bill(p.cpuMilli, p.memBytes, secs, false)
	if err != nil {
		a.warn("%s on %s: %v; billed nothing", p.key, n.name, err)
		bill.USD = 0
	}
	a.serverlessPerS -= p.rate
	if math.Abs(a.serverlessPerS) < 1e-15 {
		a.serverlessPerS = 0 // no drift when nothing runs
	}
	a.bucketSrv += bill.USD - p.rate*secs
	a.serverlessUSD[n.backend] += bill.USD
	p.rate = 0
}

// finish bills the pods still bound at the end and closes the last row.
func (e *engine) finish() {
	live := make([]*simPod, 0, len(e.pods))
	for _, p := range e.pods {
		live = append(live, p)
	}
	sort.Slice(live, func(i, j int) bool { return live[i].seq < live[j].seq })
	a := &e.acct
	for _, p := range live {
		switch p.state {
		case stBound:
			a.ended(e, p)
		default:
			a.unplaced++
		}
	}
	if last := a.nextSample - sampleEvery; e.now > last {
		a.sample(e, e.now, e.now-last)
	}
}
