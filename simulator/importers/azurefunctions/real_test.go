package azurefunctions

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/spillway-dev/spillway/simulator/trace"
)

const realDir = "../../traces/azure-functions-2019"

// TestRealTrace converts the sampled sets of the real trace and checks
// invariants, and one app's replicas in one minute against a computation
// done here from the raw files.
func TestRealTrace(t *testing.T) {
	for _, set := range []string{"day1-10-functions", "day1-100-functions"} {
		t.Run(set, func(t *testing.T) {
			p := func(kind string) string { return filepath.Join(realDir, set+"-"+kind+".csv") }
			var out bytes.Buffer
			w := trace.NewWriter(&out)
			st, err := ConvertFiles(p("invocations"), p("durations"), p("memory"), DefaultOptions(), w)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			evs := readEvents(t, out.Bytes()) // also checks times do not decrease
			if st.Events != len(evs) || st.Events == 0 {
				t.Fatalf("Stats.Events = %d, read %d events", st.Events, len(evs))
			}
			t.Logf("%+v", st)

			seen := map[string]bool{}
			last := map[string]int32{}
			prev := 0.0
			for i, ev := range evs {
				if ev.At < prev || math.Mod(ev.At, 60) != 0 || ev.At >= MinutesPerDay*60 {
					t.Fatalf("event %d: at %v after %v, want whole minutes in the day, not decreasing", i, ev.At, prev)
				}
				prev = ev.At
				if ev.Kind != trace.Deployment || ev.RunFor != nil {
					t.Fatalf("event %d: kind %q runFor %v, want a Deployment without runFor", i, ev.Kind, ev.RunFor)
				}
				if first := !seen[ev.Workload]; first != (ev.Template != nil) {
					t.Fatalf("event %d (%s): template %v, want one with (only) the first event", i, ev.Workload, ev.Template != nil)
				}
				if !seen[ev.Workload] && *ev.Replicas == 0 {
					t.Fatalf("event %d (%s): first event has 0 replicas", i, ev.Workload)
				}
				if seen[ev.Workload] && last[ev.Workload] == *ev.Replicas {
					t.Fatalf("event %d (%s): replicas %d unchanged", i, ev.Workload, *ev.Replicas)
				}
				seen[ev.Workload] = true
				last[ev.Workload] = *ev.Replicas
			}
			if len(seen) != st.AppsWritten || st.AppsWritten > st.Apps {
				t.Errorf("%d workloads in the output, Stats %+v", len(seen), st)
			}

			// Hand recomputation: the first app busy at minute 600.
			const minute = 600
			hash, want := recompute(t, p("invocations"), p("durations"), minute)
			name := "functions/app-" + hash[:8]
			var got int32 = 0
			for _, ev := range evs {
				if ev.Workload == name && ev.At <= (minute-1)*60 {
					got = *ev.Replicas
				}
			}
			if int64(got) != want {
				t.Errorf("%s at minute %d: %d replicas, want %d", name, minute, got, want)
			}
		})
	}
}

// recompute reads the raw files and returns the first app (in row order)
// invoked in minute m and its replicas at minute m by Little's law.
func recompute(t *testing.T, invPath, durPath string, m int) (string, int64) {
	t.Helper()
	records := func(path string) ([]map[string]string, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil {
			return nil, err
		}
		var out []map[string]string
		for _, r := range rows[1:] {
			row := map[string]string{}
			for i, h := range rows[0] {
				row[h] = r[i]
			}
			out = append(out, row)
		}
		return out, nil
	}
	inv, err := records(invPath)
	if err != nil {
		t.Fatal(err)
	}
	dur, err := records(durPath)
	if err != nil {
		t.Fatal(err)
	}
	cell := func(row map[string]string) float64 {
		c, ok := row[strconv.Itoa(m)]
		if !ok {
			c = row["minute_"+strconv.Itoa(m)]
		}
		n, err := strconv.ParseFloat(c, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	hash := ""
	for _, row := range inv { // the first app busy at minute m
		if cell(row) > 0 {
			hash = row["HashApp"]
			break
		}
	}
	busy := 0.0
	for _, row := range inv {
		if row["HashApp"] != hash {
			continue
		}
		n := cell(row)
		d := 1.0
		for _, dr := range dur {
			if dr["HashApp"] == hash && dr["HashFunction"] == row["HashFunction"] {
				ms, err := strconv.ParseFloat(dr["Average"], 64)
				if err != nil {
					t.Fatal(err)
				}
				d = ms / 1000
			}
		}
		busy += n * d
	}
	if busy == 0 {
		t.Fatalf("app %s is idle at minute %d; pick another minute", hash, m)
	}
	return hash, int64(math.Ceil(busy / 60))
}
