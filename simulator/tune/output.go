package tune

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	yaml "go.yaml.in/yaml/v3"

	"github.com/spillway-dev/spillway/simulator/report"
)

// The files a tuning run writes into its output directory.
const (
	ConfigFile  = "scheduler-config.yaml"
	ClusterFile = "cluster.yaml"
	ResultsFile = "results.jsonl"
	SummaryFile = "summary.json"
)

// WriteOutputs writes the run's files into dir: the best configuration as
// a whole KubeSchedulerConfiguration ready for spillway-scheduler --config,
// the recommended cluster file, every evaluation (results.jsonl), the best,
// the comparison and the Pareto front (summary.json), and report.md and
// report.html. title and generated head the report. Everything written is
// determined by the inputs and the seed.
func WriteOutputs(dir string, res *Result, title, trace, generated string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	head := fmt.Sprintf("# Tuned by spillway tune (seed %d): profile %s with %s.\n# The whole configuration, every default filled in; deploy it as\n# spillway-scheduler --config %s.\n",
		res.Seed, res.Spec.SchedulerName, Describe(res.Best), ConfigFile)
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), append([]byte(head), res.BestConfig...), 0o644); err != nil {
		return err
	}
	cl, err := yaml.Marshal(res.BestCluster)
	if err != nil {
		return err
	}
	cl = append([]byte("# The cluster spillway tune recommends: the simulator's cluster file\n# (spillway simulate --cluster cluster.yaml).\n"), cl...)
	if err := os.WriteFile(filepath.Join(dir, ClusterFile), cl, 0o644); err != nil {
		return err
	}
	if err := WriteJSONL(filepath.Join(dir, ResultsFile), res.Evaluations); err != nil {
		return err
	}
	sum, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, SummaryFile), append(sum, '\n'), 0o644); err != nil {
		return err
	}
	return report.WriteFiles(dir, Report(res, title, trace, generated))
}

// WriteJSONL writes one evaluation per line into the file at path.
func WriteJSONL(path string, evals []Evaluation) error {
	var b bytes.Buffer
	if err := EncodeJSONL(&b, evals); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// EncodeJSONL writes one evaluation per line to w.
func EncodeJSONL(w io.Writer, evals []Evaluation) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for i := range evals {
		if err := enc.Encode(&evals[i]); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// ReadJSONL reads evaluations written by a run or a shard; errors name the
// file and line.
func ReadJSONL(path string) ([]Evaluation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Evaluation
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for line := 1; sc.Scan(); line++ {
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		var e Evaluation
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}
