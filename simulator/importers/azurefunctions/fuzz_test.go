package azurefunctions

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
	for _, set := range []string{"small", "minutes"} {
		var files [3][]byte
		for i, kind := range []string{"invocations", "durations", "memory"} {
			b, err := os.ReadFile(filepath.Join("testdata", set+"-"+kind+".csv"))
			if err != nil {
				f.Fatal(err)
			}
			files[i] = b
		}
		f.Add(files[0], files[1], files[2], uint16(1), uint16(3), 1.0, int32(0))
	}
	f.Fuzz(func(t *testing.T, inv, dur, mem []byte, start, minutes uint16, concurrency float64, minReplicas int32) {
		opts := DefaultOptions()
		opts.StartMinute, opts.Minutes = int(start), int(minutes)
		opts.TargetConcurrency, opts.MinReplicas = concurrency, minReplicas
		var out bytes.Buffer
		w := trace.NewWriter(&out)
		in := Inputs{Invocations: bytes.NewReader(inv), Durations: bytes.NewReader(dur), Memory: bytes.NewReader(mem)}
		st, err := Convert(in, opts, w)
		if err != nil {
			return
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if evs := readEvents(t, out.Bytes()); len(evs) != st.Events {
			t.Fatalf("read %d events, Stats.Events = %d", len(evs), st.Events)
		}
	})
}
