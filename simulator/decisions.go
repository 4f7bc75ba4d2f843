package simulator

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/spillway-dev/spillway/simulator/inprocess"
)

// Decision is one line of decisions.jsonl: one scheduling attempt.
type Decision struct {
	At      float64 `json:"at"`
	Pod     string  `json:"pod"`
	Attempt int     `json:"attempt"`
	// Node is where the pod was placed; empty when the attempt failed.
	Node    string      `json:"node,omitempty"`
	Reasons []string    `json:"reasons,omitempty"`
	Scores  []NodeScore `json:"scores,omitempty"`
}

// NodeScore is one feasible node's scores, after normalisation and
// weights, as kube-scheduler sums them.
type NodeScore struct {
	Node    string           `json:"node"`
	Total   int64            `json:"total"`
	Plugins map[string]int64 `json:"plugins"`
}

type decisionWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
	err error
}

func newDecisionWriter(w io.Writer) *decisionWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	return &decisionWriter{w: bw, enc: json.NewEncoder(bw)}
}

func (d *decisionWriter) write(at float64, p *simPod, res inprocess.Result, reasons []string) {
	if d.err != nil {
		return
	}
	dec := Decision{At: at, Pod: p.key, Attempt: p.attempts + 1, Node: res.Node, Reasons: reasons}
	for _, s := range res.Scores {
		ns := NodeScore{Node: s.Name, Total: s.TotalScore, Plugins: make(map[string]int64, len(s.Scores))}
		for _, ps := range s.Scores {
			ns.Plugins[ps.Name] = ps.Score
		}
		dec.Scores = append(dec.Scores, ns)
	}
	d.err = d.enc.Encode(&dec)
}

func (d *decisionWriter) flush() error {
	if d.err != nil {
		return d.err
	}
	return d.w.Flush()
}

// refused records a placement the backend refused.
func (d *decisionWriter) refused(at float64, p *simPod, node, why string) {
	if d.err != nil {
		return
	}
	d.err = d.enc.Encode(&Decision{At: at, Pod: p.key, Attempt: p.attempts, Reasons: []string{"placed on " + node + ", refused by its backend: " + why}})
}
