// Package memtest measures memory for tests that bound it: the memory
// tests of the streaming decoders (price lists, Prometheus answers) share
// it instead of each sampling the heap its own way.
package memtest

import (
	"runtime"
	"sync/atomic"
	"time"
)

// PeakHeapDuring runs f while sampling the heap every 2 ms and returns the
// largest growth of HeapInuse above its value at the start (after a GC).
func PeakHeapDuring(f func()) uint64 {
	runtime.GC()
	var start runtime.MemStats
	runtime.ReadMemStats(&start)
	var peak atomic.Uint64
	done, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > start.HeapInuse && m.HeapInuse-start.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse - start.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(done)
	<-sampled
	return peak.Load()
}
