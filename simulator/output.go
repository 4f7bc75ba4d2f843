package simulator

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// Output file names in --out.
const (
	SummaryFile   = "summary.json"
	SeriesFile    = "timeseries.csv"
	DecisionsFile = "decisions.jsonl"
)

// WriteSummary writes s as indented JSON.
func WriteSummary(w io.Writer, s Summary) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// WriteSeries writes the per-minute time series as CSV: one row per
// minute, with a pods_<backend> column per backend.
func WriteSeries(w io.Writer, r *Result) error {
	cw := csv.NewWriter(w)
	head := []string{"minute", "end_s", "seconds", "dedicated_usd", "serverless_usd", "cumulative_usd",
		"cost_rate_usd_per_h", "vm_cpu_util", "vm_mem_util", "pods_dedicated"}
	for _, b := range r.Backends {
		head = append(head, "pods_"+b)
	}
	head = append(head, "pending")
	if err := cw.Write(head); err != nil {
		return err
	}
	f := func(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }
	row := make([]string, 0, len(head))
	for _, s := range r.Series {
		row = append(row[:0], strconv.Itoa(s.Minute), f(s.End, 3), f(s.Seconds, 3),
			f(s.DedicatedUSD, 6), f(s.ServerlessUSD, 6), f(s.CumulativeUSD, 6), f(s.CostRateUSDPerHour(), 6),
			f(s.VMCPUUtil, 4), f(s.VMMemUtil, 4), strconv.Itoa(s.PodsDedicated))
		for _, n := range s.PodsServerless {
			row = append(row, strconv.Itoa(n))
		}
		row = append(row, strconv.Itoa(s.Pending))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteOutputs writes summary.json and timeseries.csv into dir, creating
// it if needed. (The decisions are streamed during the run; see
// Config.Decisions.)
func WriteOutputs(dir string, r *Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var sum, series bytes.Buffer
	if err := WriteSummary(&sum, r.Summary); err != nil {
		return err
	}
	if err := WriteSeries(&series, r); err != nil {
		return err
	}
	for name, data := range map[string][]byte{SummaryFile: sum.Bytes(), SeriesFile: series.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	return nil
}
