package simulator

import (
	"container/heap"
	"context"
	"fmt"
	"sort"
	"time"

	v1 "k8s.io/api/core/v1"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/simulator/trace"
)

// scheduleActive drains the active queue through the scheduler.
func (e *engine) scheduleActive(ctx context.Context) error {
	for e.queue.active.Len() > 0 {
		p := heap.Pop(&e.queue.active).(*simPod)
		if err := e.attempt(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// attempt runs one scheduling cycle for p and places it or queues it
// again.
func (e *engine) attempt(ctx context.Context, p *simPod) error {
	e.attempts++
	p.pod.Spec.SchedulerName = e.cfg.Profile.SchedulerName
	began := time.Now()
	res, bound, err := e.sched.Schedule(ctx, p.pod)
	e.inCycle += time.Since(began)
	var reasons []string
	if err != nil {
		// A plugin error fails this attempt, as in kube-scheduler; the pod
		// is retried with backoff.
		reasons = []string{err.Error()}
		e.logger.V(2).Info("Scheduling attempt failed", "pod", p.key, "err", err)
	} else {
		reasons = res.Reasons
	}
	if e.decisions != nil {
		e.decisions.write(e.now, p, res, reasons)
	}
	if bound == nil {
		e.failed(p)
		return nil
	}
	n, ok := e.nodes[res.Node]
	if !ok {
		return fmt.Errorf("simulator: the scheduler chose node %q, which the cluster lacks", res.Node)
	}
	if v := e.refusal(p, n); v != "" {
		// The backend's virtual kubelet refuses the pod (ACI answers
		// ProviderFailed): it is back where it was, waiting, whatever the
		// profile thought.
		if err := e.removePod(bound); err != nil {
			return fmt.Errorf("simulator: undoing the binding of %s: %w", p.key, err)
		}
		e.refusals++
		e.failed(p)
		if e.decisions != nil {
			e.decisions.refused(e.now, p, n.name, v)
		}
		return nil
	}
	e.place(p, bound, n)
	return nil
}

// refusal is why n's backend refuses p, or "": a virtual node enforces its
// backend's limits and CPU quota, whether or not the profile checked them.
func (e *engine) refusal(p *simPod, n *nodeState) string {
	if n.virtual == nil {
		return ""
	}
	b := n.virtual.Backend
	if p.profile == nil {
		prof := backends.NewPodProfile(p.pod)
		p.profile = &prof
	}
	v := b.Admit(p.profile)
	if v == nil {
		v = b.AdmitQuota(p.profile, e.backendCPU[n.backend])
	}
	if v == nil {
		return ""
	}
	return v.Error()
}

// failed puts p back to wait for a cluster event, with backoff.
func (e *engine) failed(p *simPod) {
	p.attempts++
	p.failedAt = e.now
	p.state = stUnschedulable
	p.gen++
	e.queue.unschedulable[p] = struct{}{}
	e.timeline.push(event{at: e.now + flushAfter, kind: evFlush, pod: p, gen: p.gen})
}

// place records p bound to n: it starts now on a VM, after a cold start on
// a virtual node.
func (e *engine) place(p *simPod, bound *v1.Pod, n *nodeState) {
	e.queue.count--
	p.state = stBound
	p.gen++
	p.bound = bound
	p.node = n
	p.boundAt = e.now
	n.cpuMilli += p.cpuMilli
	n.memBytes += p.memBytes
	n.pods++
	if n.virtual != nil {
		e.backendCPU[n.backend] += p.cpuMilli
	}
	e.acct.placed(e, p)
	delay := 0.0
	if n.virtual != nil {
		delay = e.coldStart(n, p)
	}
	e.timeline.push(event{at: e.now + delay, kind: evStart, pod: p, gen: p.gen})
}

// end removes a pod, finished (its runFor elapsed) or deleted.
func (e *engine) end(p *simPod, finished bool) error {
	switch p.state {
	case stActive, stBackoff, stUnschedulable:
		e.queue.remove(p)
		e.acct.neverPlaced()
	case stBound:
		if err := e.removePod(p.bound); err != nil {
			return fmt.Errorf("simulator: removing %s: %w", p.key, err)
		}
		n := p.node
		n.cpuMilli -= p.cpuMilli
		n.memBytes -= p.memBytes
		n.pods--
		if n.virtual != nil {
			e.backendCPU[n.backend] -= p.cpuMilli
		}
		e.acct.ended(e, p)
		defer e.podLeft()
	default:
		return nil
	}
	e.acct.gone(p)
	p.state = stGone
	p.gen++
	delete(e.pods, p.key)
	if w := p.workload; w != nil {
		w.forget(p, finished)
		if w.kind == trace.Job && len(w.live) == 0 && w.succeeded >= w.replicas {
			delete(e.workloads, w.namespace+"/"+w.name) // complete: forget it
		}
	}
	return nil
}

// podLeft is the cluster event of a pod leaving a node: every
// unschedulable pod may fit now, and is retried once its backoff expires.
func (e *engine) podLeft() {
	for _, p := range e.queue.unschedulableInOrder() {
		delete(e.queue.unschedulable, p)
		if at := p.failedAt + backoff(p.attempts); at > e.now {
			p.state = stBackoff
			p.gen++
			e.timeline.push(event{at: at, kind: evRetry, pod: p, gen: p.gen})
		} else {
			e.queue.activate(p, e.now)
		}
	}
}

func sortStrings(s []string) { sort.Strings(s) }
