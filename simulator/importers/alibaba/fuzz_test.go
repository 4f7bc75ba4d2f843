package alibaba

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/spillway-dev/spillway/simulator/trace"
)

// FuzzConvert checks that no input makes Convert panic, and that whatever
// it writes without an error reads back as a valid trace.
func FuzzConvert(f *testing.F) {
	for _, seed := range []struct {
		file   string
		is2017 bool
	}{{"batch_task-2018.csv", false}, {"batch_task-2017.csv", true}} {
		b, err := os.ReadFile(filepath.Join("testdata", seed.file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, seed.is2017, false, 0.0)
		f.Add(b, seed.is2017, true, 0.0)
	}
	f.Fuzz(func(t *testing.T, in []byte, is2017, sorted bool, memGiB float64) {
		opts := DefaultOptions()
		opts.Format, opts.Sorted, opts.MachineMemoryGiB = Format2018, sorted, memGiB
		if is2017 {
			opts.Format = Format2017
		}
		var out bytes.Buffer
		w := trace.NewWriter(&out)
		st, err := Convert(bytes.NewReader(in), "fuzz.csv", opts, w)
		if err != nil {
			return
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if evs := readEvents(t, out.Bytes()); len(evs) != st.Jobs {
			t.Fatalf("read %d events, Stats.Jobs = %d", len(evs), st.Jobs)
		}
	})
}
