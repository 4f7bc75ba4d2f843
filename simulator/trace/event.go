// Package trace reads and writes Spillway's native workload trace: JSON
// Lines, one event per line, with non-decreasing times in seconds from the
// start of the trace:
//
//	{"at": 0, "op": "create", "pod": POD_MANIFEST, "runFor": 90}
//	{"at": 30, "op": "delete", "name": "NAMESPACE/NAME"}
//	{"at": 60, "op": "scale", "workload": "NAMESPACE/NAME", "kind": "Deployment", "replicas": 3, "template": POD_MANIFEST}
//
// A create without runFor runs until it is deleted or the trace ends. A
// scale event sets the replica count of a Deployment, StatefulSet or Job;
// its template is required the first time a workload appears and replaces
// the workload's template when given again. A Job's pods run for the
// event's runFor (required for Jobs, refused for the other kinds) and are
// not replaced when they finish.
//
// Reader decodes strictly and streams: memory does not grow with the
// length of the trace.
package trace

import (
	"fmt"
	"strings"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Op is what an event does.
type Op string

// The operations of a trace event.
const (
	OpCreate Op = "create"
	OpDelete Op = "delete"
	OpScale  Op = "scale"
)

// Kind is the kind of a scaled workload.
type Kind string

// The workload kinds a scale event accepts.
const (
	Deployment  Kind = "Deployment"
	StatefulSet Kind = "StatefulSet"
	Job         Kind = "Job"
)

// Event is one line of a trace. Which fields are set depends on Op.
type Event struct {
	// At is the event's time in seconds from the start of the trace.
	At float64 `json:"at"`
	Op Op      `json:"op"`

	// Pod is the manifest of the pod a create event adds.
	Pod *v1.Pod `json:"pod,omitempty"`
	// RunFor is how long, in seconds, a created pod (or a Job's pod) runs
	// once it has started; nil runs it until deleted or the end.
	RunFor *float64 `json:"runFor,omitempty"`

	// Name is "NAMESPACE/NAME" of the pod a delete event removes.
	Name string `json:"name,omitempty"`

	// Workload is "NAMESPACE/NAME" of the workload a scale event scales.
	Workload string `json:"workload,omitempty"`
	Kind     Kind   `json:"kind,omitempty"`
	// Replicas is the workload's new replica count (for a Job: the number
	// of pods it runs to completion).
	Replicas *int32 `json:"replicas,omitempty"`
	// Template is the pod manifest of the workload's replicas.
	Template *v1.Pod `json:"template,omitempty"`
}

// Validate checks one event on its own (Reader also checks that times do
// not decrease). The error names the offending field.
func (e *Event) Validate() error {
	if err := validateSeconds("at", e.At); err != nil {
		return err
	}
	if e.RunFor != nil {
		if err := validateSeconds("runFor", *e.RunFor); err != nil {
			return err
		}
	}
	switch e.Op {
	case OpCreate:
		if e.Pod == nil {
			return fmt.Errorf("pod: required by op %q", e.Op)
		}
		if e.Pod.Name == "" {
			return fmt.Errorf("pod.metadata.name: required")
		}
		if e.Pod.Spec.NodeName != "" {
			return fmt.Errorf("pod.spec.nodeName: must be empty, the simulator places the pod (got %q)", e.Pod.Spec.NodeName)
		}
		if len(e.Pod.Spec.Containers) == 0 {
			return fmt.Errorf("pod.spec.containers: at least one container is required")
		}
		if err := validatePod("pod", e.Pod, true); err != nil {
			return err
		}
		return e.unexpected("name", e.Name != "", "workload", e.Workload != "", "kind", e.Kind != "", "replicas", e.Replicas != nil, "template", e.Template != nil)
	case OpDelete:
		if err := validateRef("name", e.Name); err != nil {
			return err
		}
		return e.unexpected("pod", e.Pod != nil, "runFor", e.RunFor != nil, "workload", e.Workload != "", "kind", e.Kind != "", "replicas", e.Replicas != nil, "template", e.Template != nil)
	case OpScale:
		if err := validateRef("workload", e.Workload); err != nil {
			return err
		}
		switch e.Kind {
		case Deployment, StatefulSet:
			if e.RunFor != nil {
				return fmt.Errorf("runFor: only a Job's pods finish; a %s replaces a pod that exits", e.Kind)
			}
		case Job:
			if e.RunFor == nil {
				return fmt.Errorf("runFor: required for a Job (how long each of its pods runs)")
			}
		default:
			return fmt.Errorf("kind: want %s, %s or %s, got %q", Deployment, StatefulSet, Job, e.Kind)
		}
		if e.Replicas == nil {
			return fmt.Errorf("replicas: required by op %q", e.Op)
		}
		if r := *e.Replicas; r < 0 || r > MaxReplicas {
			return fmt.Errorf("replicas: want 0..%d (the bound of a scale), got %d", MaxReplicas, r)
		}
		if e.Kind == Job {
			// The Job controller labels its pods with the Job's name.
			if _, name, _ := SplitName(e.Workload); len(name) > validation.LabelValueMaxLength {
				return fmt.Errorf("workload: a Job's name must be no more than %d characters (it is a label value), got %d", validation.LabelValueMaxLength, len(name))
			}
		}
		if t := e.Template; t != nil {
			if t.Spec.NodeName != "" {
				return fmt.Errorf("template.spec.nodeName: must be empty, got %q", t.Spec.NodeName)
			}
			if len(t.Spec.Containers) == 0 {
				return fmt.Errorf("template.spec.containers: at least one container is required")
			}
			if err := validatePod("template", t, false); err != nil {
				return err
			}
		}
		return e.unexpected("pod", e.Pod != nil, "name", e.Name != "")
	case "":
		return fmt.Errorf("op: required (%s, %s or %s)", OpCreate, OpDelete, OpScale)
	default:
		return fmt.Errorf("op: want %s, %s or %s, got %q", OpCreate, OpDelete, OpScale, e.Op)
	}
}

// unexpected reports the first field, of name/set pairs, that is set but
// does not belong to the event's op.
func (e *Event) unexpected(pairs ...any) error {
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i+1].(bool) {
			return fmt.Errorf("%s: not allowed with op %q", pairs[i], e.Op)
		}
	}
	return nil
}

// SplitName splits "NAMESPACE/NAME"; both parts are required.
func SplitName(s string) (namespace, name string, err error) {
	ns, n, ok := strings.Cut(s, "/")
	if !ok || ns == "" || n == "" || strings.Contains(n, "/") {
		return "", "", fmt.Errorf("want NAMESPACE/NAME, got %q", s)
	}
	return ns, n, nil
}

// Namespace returns the pod's namespace, "default" when it has none, as
// the API server would set it.
func Namespace(pod *v1.Pod) string {
	if pod.Namespace == "" {
		return "default"
	}
	return pod.Namespace
}
