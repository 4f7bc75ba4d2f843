// Package explain tells, on the pod, why Spillway put it where it went: an
// Event through the scheduler framework's event recorder, rate limited, and
// the same line as a structured log at V(2). ServerlessFit and Steadiness
// leave their part in the scheduling cycle's state (a Note); BurstCost,
// which knows the costs, emits the explanation after the binding.
package explain

import (
	"fmt"
	"strings"
	"sync"

	fwk "k8s.io/kube-scheduler/framework"
)

// BackendVM is the backend name of a dedicated node (a VM).
const BackendVM = "vm"

const stateKey fwk.StateKey = "spillway.dev/explain"

// Note is what the plugins found out about one pod in one scheduling
// cycle.
type Note struct {
	mu sync.Mutex
	// Class and ClassSource are Steadiness's classification of the pod
	// (steady or burst) and what it rests on (annotation, history, kind,
	// longRunningJob).
	Class, ClassSource string
	// Refused is ServerlessFit's refusals, one per backend, as
	// "aci cannot run this pod: InitContainers: ...", worked out only when
	// an explanation is written.
	Refused Refusals
}

// Refusals lists the backends that refused a pod, and why.
type Refusals interface {
	// Refusals returns one line per refusing backend; none when none
	// refused.
	Refusals() []string
}

// Clone returns the note itself: the plugins of one cycle share it.
func (n *Note) Clone() fwk.StateData { return n }

// Of returns the cycle's note, adding an empty one if there is none yet.
// The framework runs a pod's extension points one after the other, so two
// plugins never add one at once.
func Of(state fwk.CycleState) *Note {
	if state == nil {
		return &Note{}
	}
	if d, err := state.Read(stateKey); err == nil {
		if n, ok := d.(*Note); ok {
			return n
		}
	}
	n := &Note{}
	state.Write(stateKey, n)
	return n
}

// Peek returns the cycle's note, or nil if no plugin left one.
func Peek(state fwk.CycleState) *Note {
	if state == nil {
		return nil
	}
	if d, err := state.Read(stateKey); err == nil {
		if n, ok := d.(*Note); ok {
			return n
		}
	}
	return nil
}

// SetClass records Steadiness's classification.
func (n *Note) SetClass(class, source string) {
	n.mu.Lock()
	n.Class, n.ClassSource = class, source
	n.mu.Unlock()
}

// SetRefusals records ServerlessFit's refusals (replacing earlier ones).
func (n *Note) SetRefusals(r Refusals) {
	n.mu.Lock()
	n.Refused = r
	n.mu.Unlock()
}

// Placement is where the pod went and what BurstCost expects it to cost.
type Placement struct {
	Node, Backend string // Backend is BackendVM for a dedicated node
	// USD is the expected cost on Node over Seconds (HorizonSource says
	// where that duration came from); Priced is false when no estimate
	// was made.
	USD           float64
	Priced        bool
	Seconds       float64
	HorizonSource string
	// AltBackend and AltUSD are the cheapest feasible node of the other
	// kind (a VM for a serverless placement, a serverless backend for a
	// VM one); AltBackend is "" when there was none.
	AltBackend string
	AltUSD     float64
}

// Serverless reports whether the pod went to a virtual node.
func (p *Placement) Serverless() bool { return p.Backend != BackendVM }

// Message is the one-line explanation, e.g.
// `placed on aci (node virtual-node-aci-linux): expected $0.0551 for 1h0m0s (defaultHorizon) against $0.0061 on a VM; steadiness: burst (history)`.
func Message(p *Placement, n *Note) string {
	var b strings.Builder
	if p.Serverless() {
		fmt.Fprintf(&b, "placed on %s (node %s)", p.Backend, p.Node)
	} else {
		fmt.Fprintf(&b, "placed on a VM (node %s)", p.Node)
	}
	if p.Priced {
		fmt.Fprintf(&b, ": expected $%.4f for %s", p.USD, seconds(p.Seconds))
		if p.HorizonSource != "" {
			fmt.Fprintf(&b, " (%s)", p.HorizonSource)
		}
		switch {
		case p.AltBackend == BackendVM:
			fmt.Fprintf(&b, " against $%.4f on a VM", p.AltUSD)
		case p.AltBackend != "":
			fmt.Fprintf(&b, " against $%.4f on %s", p.AltUSD, p.AltBackend)
		case p.Serverless():
			b.WriteString(", no VM could take it")
		}
	}
	if n == nil {
		return b.String()
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.Class != "" {
		fmt.Fprintf(&b, "; steadiness: %s (%s)", n.Class, n.ClassSource)
	}
	if n.Refused != nil {
		if r := n.Refused.Refusals(); len(r) > 0 {
			fmt.Fprintf(&b, "; kept off serverless: %s", strings.Join(r, "; "))
		}
	}
	return b.String()
}

func seconds(s float64) string {
	if s <= 0 {
		return "its lifetime"
	}
	return fmt.Sprint(durationOf(s))
}
