package trace

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"
)

const podJSON = `{"metadata":{"name":"a"},"spec":{"containers":[{"name":"c","image":"i"}]}}`

func readAll(t *testing.T, in string) ([]Event, error) {
	t.Helper()
	r := NewReader(strings.NewReader(in), "t.jsonl")
	var out []Event
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, ev)
	}
}

func TestReaderAccepts(t *testing.T) {
	in := "# a comment\n\n" +
		`{"at":0,"op":"create","pod":` + podJSON + `,"runFor":5}` + "\n" +
		`{"at":0,"op":"scale","workload":"ns/w","kind":"Job","replicas":2,"runFor":9,"template":` + podJSON + `}` + "\n" +
		`{"at":1.5,"op":"delete","name":"default/a"}`
	got, err := readAll(t, in)
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, ev := range got {
		ops = append(ops, string(ev.Op))
	}
	if diff := cmp.Diff([]string{"create", "scale", "delete"}, ops); diff != "" {
		t.Errorf("ops (-want +got):\n%s", diff)
	}
	if got[0].Pod.Name != "a" || *got[0].RunFor != 5 || *got[1].Replicas != 2 || got[2].At != 1.5 {
		t.Errorf("decoded events wrong: %+v", got)
	}
}

// podWith is a create event whose container has the resources res.
func podWith(res string) string {
	return `{"at":0,"op":"create","pod":{"metadata":{"name":"a"},"spec":{"containers":[{"name":"c","resources":{` + res + `}}]}}}`
}

func TestReaderRejects(t *testing.T) {
	create := `{"at":0,"op":"create","pod":` + podJSON + `}`
	tests := []struct{ name, in, want string }{
		{"syntax", create + "\n{\"at\":", "t.jsonl:2: "},
		{"unknown field", `{"at":0,"op":"create","pod":` + podJSON + `,"runfor":3}`, `t.jsonl:1: unknown field "runfor"`},
		{"unknown pod field", `{"at":0,"op":"create","pod":{"metadata":{"name":"a"},"spec":{"containers":[{"name":"c","imag":"i"}]}}}`, `t.jsonl:1: unknown field "pod.spec.containers[0].imag"`},
		{"duplicate field", `{"at":0,"at":1,"op":"delete","name":"a/b"}`, `t.jsonl:1: duplicate field "at"`},
		{"negative time", `{"at":-1,"op":"delete","name":"a/b"}`, "t.jsonl:1: at: want a number of seconds 0..2678400 (31 days, the bound of a trace), got -1"},
		{"time goes back", create + "\n\n" + `{"at":0,"op":"delete","name":"a/b"}` + "\n" + `{"at":-0.5,"op":"delete","name":"a/b"}`, "t.jsonl:4: at: want a number of seconds 0..2678400"},
		{"decreasing", `{"at":3,"op":"delete","name":"a/b"}` + "\n" + `{"at":2,"op":"delete","name":"a/b"}`, "t.jsonl:2: at: 2 is before the previous event's 3"},
		{"no op", `{"at":0}`, "t.jsonl:1: op: required"},
		{"bad op", `{"at":0,"op":"patch"}`, `t.jsonl:1: op: want create, delete or scale, got "patch"`},
		{"create without pod", `{"at":0,"op":"create"}`, `t.jsonl:1: pod: required by op "create"`},
		{"pod without name", `{"at":0,"op":"create","pod":{"spec":{"containers":[{"name":"c"}]}}}`, "t.jsonl:1: pod.metadata.name: required"},
		{"pod already bound", `{"at":0,"op":"create","pod":{"metadata":{"name":"a"},"spec":{"nodeName":"n","containers":[{"name":"c"}]}}}`, "t.jsonl:1: pod.spec.nodeName: must be empty"},
		{"pod without containers", `{"at":0,"op":"create","pod":{"metadata":{"name":"a"}}}`, "t.jsonl:1: pod.spec.containers: at least one"},
		{"negative runFor", `{"at":0,"op":"create","pod":` + podJSON + `,"runFor":-2}`, "t.jsonl:1: runFor: want a number of seconds 0..2678400"},
		{"create with a name", `{"at":0,"op":"create","pod":` + podJSON + `,"name":"x/y"}`, `t.jsonl:1: name: not allowed with op "create"`},
		{"delete without namespace", `{"at":0,"op":"delete","name":"b"}`, `t.jsonl:1: name: want NAMESPACE/NAME, got "b"`},
		{"delete with a pod", `{"at":0,"op":"delete","name":"a/b","pod":` + podJSON + `}`, `t.jsonl:1: pod: not allowed with op "delete"`},
		{"scale bad kind", `{"at":0,"op":"scale","workload":"a/b","kind":"DaemonSet","replicas":1}`, `t.jsonl:1: kind: want Deployment, StatefulSet or Job, got "DaemonSet"`},
		{"scale no replicas", `{"at":0,"op":"scale","workload":"a/b","kind":"Deployment"}`, `t.jsonl:1: replicas: required`},
		{"scale negative", `{"at":0,"op":"scale","workload":"a/b","kind":"Deployment","replicas":-1}`, `t.jsonl:1: replicas: want 0..100000 (the bound of a scale), got -1`},
		{"Deployment with runFor", `{"at":0,"op":"scale","workload":"a/b","kind":"Deployment","replicas":1,"runFor":3}`, `t.jsonl:1: runFor: only a Job's pods finish`},
		{"Job without runFor", `{"at":0,"op":"scale","workload":"a/b","kind":"Job","replicas":1}`, `t.jsonl:1: runFor: required for a Job`},
		// Bounds (issue 15, finding 2): each refused at its line, with the bound.
		{"at 1e12", `{"at":1e12,"op":"delete","name":"a/b"}`, "t.jsonl:1: at: want a number of seconds 0..2678400 (31 days, the bound of a trace), got 1e+12"},
		{"runFor 1e15", `{"at":0,"op":"create","pod":` + podJSON + `,"runFor":1e15}`, "t.jsonl:1: runFor: want a number of seconds 0..2678400"},
		{"Job runFor 1e15", `{"at":0,"op":"scale","workload":"a/b","kind":"Job","replicas":1,"runFor":1e15}`, "t.jsonl:1: runFor: want a number of seconds 0..2678400"},
		{"replicas MaxInt32", `{"at":0,"op":"scale","workload":"a/b","kind":"Deployment","replicas":2147483647}`, "t.jsonl:1: replicas: want 0..100000 (the bound of a scale), got 2147483647"},
		{"replicas 1e9", `{"at":0,"op":"scale","workload":"a/b","kind":"Deployment","replicas":1000000000}`, "t.jsonl:1: replicas: want 0..100000"},
		// Quantities (finding 6), as the API server validates them, and bounded.
		{"cpu -1", podWith(`"requests":{"cpu":"-1"}`), `t.jsonl:1: pod.spec.containers[0].resources.requests[cpu]: must be greater than or equal to 0, got -1`},
		{"memory -1Gi", podWith(`"requests":{"memory":"-1Gi"}`), `t.jsonl:1: pod.spec.containers[0].resources.requests[memory]: must be greater than or equal to 0, got -1Gi`},
		{"cpu 1e19", podWith(`"requests":{"cpu":"1e19"}`), `t.jsonl:1: pod.spec.containers[0].resources.requests[cpu]: 10e18 is over the bound 10k`},
		{"cpu 1e400", podWith(`"requests":{"cpu":"1e400"}`), `t.jsonl:1: pod.spec.containers[0].resources.requests[cpu]: `},
		{"memory 1Ei", podWith(`"requests":{"memory":"1Ei"}`), `t.jsonl:1: pod.spec.containers[0].resources.requests[memory]: 1Ei is over the bound 16Ti`},
		{"negative limit", podWith(`"limits":{"cpu":"-2"}`), `resources.limits[cpu]: must be greater than or equal to 0`},
		{"request over limit", podWith(`"requests":{"cpu":"2"},"limits":{"cpu":"1"}`), `resources.requests[cpu]: 2 must be less than or equal to the limit 1`},
		{"template cpu -1", `{"at":0,"op":"scale","workload":"a/b","kind":"Deployment","replicas":1,"template":{"spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"-1"}}}]}}}`, `t.jsonl:1: template.spec.containers[0].resources.requests[cpu]: must be greater than or equal to 0`},
		{"init container", `{"at":0,"op":"create","pod":{"metadata":{"name":"a"},"spec":{"initContainers":[{"name":"i","resources":{"requests":{"memory":"-1"}}}],"containers":[{"name":"c"}]}}}`, `pod.spec.initContainers[0].resources.requests[memory]: must be greater`},
		// Names (finding 12), as the API server validates them.
		{"pod name A_B!!", `{"at":0,"op":"create","pod":{"metadata":{"name":"A_B!!"},"spec":{"containers":[{"name":"c"}]}}}`, `t.jsonl:1: pod.metadata: name "A_B!!": a lowercase RFC 1123 subdomain`},
		{"pod name of 300", `{"at":0,"op":"create","pod":{"metadata":{"name":"` + strings.Repeat("a", 300) + `"},"spec":{"containers":[{"name":"c"}]}}}`, `must be no more than 253 characters`},
		{"pod namespace", `{"at":0,"op":"create","pod":{"metadata":{"name":"a","namespace":"Big_NS"},"spec":{"containers":[{"name":"c"}]}}}`, `t.jsonl:1: pod.metadata: namespace "Big_NS": a lowercase RFC 1123 label`},
		{"workload name", `{"at":0,"op":"scale","workload":"a/B!","kind":"Deployment","replicas":1}`, `t.jsonl:1: workload: name "B!": a lowercase RFC 1123 subdomain`},
		{"workload namespace of 300", `{"at":0,"op":"scale","workload":"` + strings.Repeat("n", 300) + `/b","kind":"Deployment","replicas":1}`, `must be no more than 63 characters`},
		{"Job name over 63", `{"at":0,"op":"scale","workload":"a/` + strings.Repeat("j", 64) + `","kind":"Job","replicas":1,"runFor":1}`, `workload: a Job's name must be no more than 63 characters`},
		{"label key", `{"at":0,"op":"create","pod":{"metadata":{"name":"a","labels":{"a b":"x"}},"spec":{"containers":[{"name":"c"}]}}}`, `t.jsonl:1: pod.metadata.labels: key "a b": name part must consist of`},
		{"label value", `{"at":0,"op":"scale","workload":"a/b","kind":"Deployment","replicas":1,"template":{"metadata":{"labels":{"app":"A_B!!"}},"spec":{"containers":[{"name":"c"}]}}}`, `t.jsonl:1: template.metadata.labels[app]: value "A_B!!": a valid label must be`},
		{"delete name", `{"at":0,"op":"delete","name":"a/A_B!!"}`, `t.jsonl:1: name: name "A_B!!": a lowercase RFC 1123 subdomain`},
		{"line too long", `{"at":0,"op":"delete","name":"a/` + strings.Repeat("b", MaxLineBytes) + `"}`, "t.jsonl:1: line longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAll(t, tt.in)
			var te *Error
			if !errors.As(err, &te) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want a *trace.Error containing %q", err, tt.want)
			}
		})
	}
}

// What Writer writes, Reader reads back unchanged.
func TestWriterRoundTrip(t *testing.T) {
	got, err := readAll(t, `{"at":0,"op":"scale","workload":"ns/w","kind":"Deployment","replicas":2,"template":`+podJSON+`}`+"\n"+
		`{"at":4,"op":"create","pod":`+podJSON+`,"runFor":1.25}`)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	w := NewWriter(&b)
	for _, ev := range got {
		if err := w.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	again, err := readAll(t, b.String())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, again); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if err := w.Write(Event{At: 1, Op: OpDelete, Name: "a/b"}); err == nil {
		t.Error("Writer accepted an event earlier than the previous one")
	}
	if err := w.Write(Event{At: 5, Op: OpScale, Workload: "a/b", Kind: Job, Replicas: ptr.To[int32](1)}); err == nil {
		t.Error("Writer accepted a Job without runFor")
	}
}

func FuzzReader(f *testing.F) {
	f.Add(`{"at":0,"op":"create","pod":` + podJSON + `,"runFor":5}`)
	f.Add(`{"at":1,"op":"delete","name":"default/a"}`)
	f.Add(`{"at":2,"op":"scale","workload":"ns/w","kind":"Job","replicas":2,"runFor":9,"template":` + podJSON + `}`)
	f.Add("# c\n\n{}\n")
	f.Add(`{"at":1e12,"op":"scale","workload":"a/b","kind":"Deployment","replicas":2147483647,"template":` + podJSON + `}`)
	f.Add(podWith(`"requests":{"cpu":"1e19","memory":"-1Gi"},"limits":{"cpu":"1"}`))
	f.Fuzz(func(t *testing.T, in string) {
		r := NewReader(strings.NewReader(in), "f")
		last := 0.0
		for i := 0; i < 1000; i++ {
			ev, err := r.Next()
			if err != nil {
				var te *Error
				if !errors.Is(err, io.EOF) && !errors.As(err, &te) {
					t.Fatalf("error %v is not a *trace.Error", err)
				}
				return
			}
			if err := ev.Validate(); err != nil {
				t.Fatalf("Next returned an invalid event: %v", err)
			}
			if ev.At < last {
				t.Fatalf("time went back: %v after %v", ev.At, last)
			}
			if ev.At > MaxSeconds || (ev.RunFor != nil && *ev.RunFor > MaxSeconds) || (ev.Replicas != nil && *ev.Replicas > MaxReplicas) {
				t.Fatalf("Next returned an event over the bounds: %+v", ev)
			}
			last = ev.At
		}
	})
}

// The bounds themselves are accepted: a trace at the limits still reads.
func TestReaderAcceptsBounds(t *testing.T) {
	in := `{"at":0,"op":"scale","workload":"a/b","kind":"Deployment","replicas":100000,"template":{"spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"10k","memory":"16Ti"},"limits":{"cpu":"10k"}}}]}}}
{"at":0,"op":"create","pod":{"metadata":{"name":"` + strings.Repeat("a", 253) + `","namespace":"` + strings.Repeat("n", 63) + `"},"spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"0"}}}]}},"runFor":2678400}
{"at":2678400,"op":"delete","name":"a/b-1"}
`
	evs, err := readAll(t, in)
	if err != nil || len(evs) != 3 {
		t.Fatalf("got %d events, %v; want 3, nil", len(evs), err)
	}
}
