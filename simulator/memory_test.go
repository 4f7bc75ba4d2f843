package simulator

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"
)

// churn writes n events of pods that come and go: pod i is created at
// i/2 s and deleted 40 pods later, so about 20 pods live at any time.
func churn(w *io.PipeWriter, n int) {
	const pod = `{"metadata":{"name":"p%d"},"spec":{"containers":[{"name":"c","image":"i","resources":{"requests":{"cpu":"100m","memory":"128Mi"}}}]}}`
	bw := make([]byte, 0, 512)
	var err error
	for i := 0; i < n/2 && err == nil; i++ {
		at := float64(i) / 2
		bw = fmt.Appendf(bw[:0], `{"at":%g,"op":"create","pod":`+pod+"}\n", at, i)
		if i >= 40 {
			bw = fmt.Appendf(bw, `{"at":%g,"op":"delete","name":"default/p%d"}`+"\n", at, i-40)
		}
		_, err = w.Write(bw)
	}
	w.CloseWithError(err)
}

// A long trace replays in constant memory: the heap after the whole trace
// is no bigger than after its first tenth, but for the per-minute series.
func TestConstantMemory(t *testing.T) {
	events := 1_000_000
	if raceEnabled || testing.Short() {
		events = 100_000 // the race detector makes each event ~10x slower
	}
	r, w := io.Pipe()
	go churn(w, events)
	heapNow := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	calls, checkpoint := 0, events/10/1024
	var early, late uint64
	res, err := Run(context.Background(), Config{Trace: r, TraceName: "churn", Cluster: defaultCluster(t),
		Profile: profile(t, "spillway"), Seed: 1, Progress: func(int64) {
			calls++
			switch calls {
			case checkpoint:
				early = heapNow()
			case events / 1024:
				late = heapNow()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Summary.Sim.Events; got < int64(events)-41 {
		t.Fatalf("replayed %d events, want %d", got, events)
	}
	// The series holds one row per simulated minute (~150 bytes).
	series := uint64(len(res.Series)) * 150
	t.Logf("%d events, %d pods, %.0f simulated s in %.1f s; heap %.1f MiB after %d events, %.1f MiB at the end",
		res.Summary.Sim.Events, res.Summary.Pods.Total, res.Summary.Sim.SimulatedS, res.Summary.Sim.WallS,
		float64(early)/(1<<20), events/10, float64(late)/(1<<20))
	if late > early+series+4<<20 {
		t.Errorf("heap grew from %d to %d bytes over the trace (series: %d bytes); memory is not constant", early, late, series)
	}
}
