package tune

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spillway-dev/spillway/simulator/trace"
)

// TraceSpan is the time of the last event of a trace file, in seconds.
func TraceSpan(path string) (float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := trace.NewReader(f, path)
	last := 0.0
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			return last, nil
		}
		if err != nil {
			return 0, err
		}
		last = ev.At
	}
}

// WriteWindow writes the part of the trace at src from second from on, as
// a trace of its own starting at 0: what is alive at from is created at 0
// (every workload at its replica count and template then, every bare pod
// not yet deleted with the rest of its runFor), and the later events follow,
// shifted by -from. The history before from is lost, as it is for a
// scheduler started at from; a Job that began before from runs again from
// its start.
func WriteWindow(src string, from float64, dst io.Writer) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	r := trace.NewReader(f, src)
	w := trace.NewWriter(dst)
	var (
		workloads []trace.Event // last scale event per workload, template kept
		wIndex    = map[string]int{}
		pods      []trace.Event
		pIndex    = map[string]int{}
		cut       bool
	)
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if ev.At < from {
			switch ev.Op {
			case trace.OpScale:
				if i, ok := wIndex[ev.Workload]; ok {
					if ev.Template == nil {
						ev.Template = workloads[i].Template
					}
					workloads[i] = ev
				} else {
					wIndex[ev.Workload] = len(workloads)
					workloads = append(workloads, ev)
				}
			case trace.OpCreate:
				pIndex[trace.Namespace(ev.Pod)+"/"+ev.Pod.Name] = len(pods)
				pods = append(pods, ev)
			case trace.OpDelete:
				if i, ok := pIndex[ev.Name]; ok {
					pods[i].Pod = nil
					delete(pIndex, ev.Name)
				}
			}
			continue
		}
		if !cut {
			if err := writeState(w, workloads, pods, from); err != nil {
				return err
			}
			cut = true
		}
		ev.At -= from
		if err := w.Write(ev); err != nil {
			return err
		}
	}
	if !cut {
		return fmt.Errorf("%s: no event at or after %.0f s to hold out", src, from)
	}
	return w.Flush()
}

// writeState writes what is alive at from as events at 0.
func writeState(w *trace.Writer, workloads, pods []trace.Event, from float64) error {
	for _, ev := range workloads {
		ev.At = 0
		if err := w.Write(ev); err != nil {
			return err
		}
	}
	for _, ev := range pods {
		if ev.Pod == nil {
			continue
		}
		if ev.RunFor != nil {
			left := ev.At + *ev.RunFor - from
			if left <= 0 {
				continue
			}
			ev.RunFor = &left
		}
		ev.At = 0
		if err := w.Write(ev); err != nil {
			return err
		}
	}
	return nil
}
