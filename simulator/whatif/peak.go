package whatif

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	v1 "k8s.io/api/core/v1"

	"github.com/spillway-dev/spillway/simulator/trace"
)

// PeakSize is how many VMs of one type the trace's peak needs.
type PeakSize struct {
	// Workers is how many VMs the pods running at the peak instant pack
	// into (first-fit decreasing, by CPU, memory and pod count), before
	// any headroom.
	Workers int
	// AtS is the peak instant: when the running pods that fit a VM need
	// the most VMs by their total requests (the larger of CPU and memory,
	// each over one VM's allocatable); the first such instant.
	AtS float64
	// Pods, CPUMilli and MemBytes are what runs at AtS.
	Pods, CPUMilli, MemBytes int64
	// TooBig counts the trace's pods that no such VM holds (left out).
	TooBig int64
}

// PeakWorkers sizes VMs of the given allocatable for the trace's peak
// demand, from the trace alone in one streaming pass (as FluidOracle
// walks it: every pod runs from the moment the trace wants it, nothing
// waits). It finds the instant at which the running pods' requests need
// the most VMs, max(ΣCPU / VM CPU, Σmemory / VM memory), and packs that
// instant's pods into VMs first-fit decreasing, each VM holding at most
// its allocatable CPU, memory and pods. Pods no VM holds are left out.
// until > 0 stops the walk there.
func PeakWorkers(r io.Reader, source string, alloc v1.ResourceList, until float64) (PeakSize, error) {
	vm := binSize{cpu: alloc.Cpu().MilliValue(), mem: alloc.Memory().Value(), pods: alloc.Pods().Value()}
	if vm.cpu <= 0 || vm.mem <= 0 {
		return PeakSize{}, fmt.Errorf("peak sizing: the VM has no allocatable CPU or memory")
	}
	if vm.pods <= 0 {
		vm.pods = math.MaxInt64
	}
	var running shapeSet
	shapeOf := func(pod *v1.Pod) shape {
		cpu, mem := requests(pod)
		s := shape{cpuMilli: cpu, memBytes: mem}
		if cpu > vm.cpu || mem > vm.mem {
			s.class = nowhere
		}
		return s
	}
	w := newWalker(shapeOf, func(s *shape, n int64) {
		if s.class == onVM {
			running.add(s.cpuMilli, s.memBytes, n)
		}
	})
	var out PeakSize
	var peak []shapeCount
	most := 0.0
	_, err := w.walk(trace.NewReader(r, source), until, func(from, _ float64) {
		cpu, mem := w.cpu[onVM], w.mem[onVM]
		if need := max(float64(cpu)/float64(vm.cpu), float64(mem)/float64(vm.mem)); need > most {
			most = need
			peak = append(peak[:0], running.s...)
			out.AtS, out.CPUMilli, out.MemBytes = from, cpu, mem
		}
	})
	if err != nil {
		return PeakSize{}, fmt.Errorf("peak sizing: %w", err)
	}
	for _, s := range peak {
		out.Pods += s.n
	}
	out.TooBig = w.skipped
	out.Workers = pack(peak, vm)
	return out, nil
}

// binSize is what one VM holds.
type binSize struct{ cpu, mem, pods int64 }

// pack is how many VMs of size vm the pods take, first-fit decreasing:
// requests in decreasing order of their larger share of a VM, each into
// the first VM with room, a new one when none has. All the pods of one
// request go at once, as many per VM as fit.
func pack(shapes []shapeCount, vm binSize) int {
	items := slices.Clone(shapes)
	share := func(s shapeCount) float64 {
		return max(float64(s.cpuMilli)/float64(vm.cpu), float64(s.memBytes)/float64(vm.mem))
	}
	slices.SortStableFunc(items, func(a, b shapeCount) int {
		if sa, sb := share(a), share(b); sa != sb {
			if sa > sb {
				return -1
			}
			return 1
		}
		return compareShape(&a, &b)
	})
	var bins []binSize // room left
	fits := func(room binSize, s shapeCount) int64 {
		k := room.pods
		if s.cpuMilli > 0 {
			k = min(k, room.cpu/s.cpuMilli)
		}
		if s.memBytes > 0 {
			k = min(k, room.mem/s.memBytes)
		}
		return k
	}
	for _, s := range items {
		left := s.n
		for i := range bins {
			if left == 0 {
				break
			}
			if k := min(fits(bins[i], s), left); k > 0 {
				bins[i].cpu -= k * s.cpuMilli
				bins[i].mem -= k * s.memBytes
				bins[i].pods -= k
				left -= k
			}
		}
		per := fits(vm, s) // > 0: every shape fits an empty VM
		for left > 0 {
			k := min(per, left)
			bins = append(bins, binSize{cpu: vm.cpu - k*s.cpuMilli, mem: vm.mem - k*s.memBytes, pods: vm.pods - k})
			left -= k
		}
	}
	return len(bins)
}

// peakWorkersOf is PeakWorkers on the trace file at path.
func peakWorkersOf(path string, alloc v1.ResourceList, until float64) (PeakSize, error) {
	f, err := os.Open(path)
	if err != nil {
		return PeakSize{}, err
	}
	defer f.Close()
	return PeakWorkers(f, path, alloc, until)
}
