package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileTemplate is a Deployment's template for the one-line traces.
const hostileTemplate = `{"spec":{"containers":[{"name":"c","image":"i","resources":{"requests":{"cpu":"100m","memory":"64Mi"}}}]}}`

// Issue 15, finding 2: each of these crashed the simulator with an
// out-of-memory fatal error and a Go stack trace. Under a 500 MB address
// space limit, each now exits 1 with a message naming the line (or the
// flag) and the bound; a trace at the bounds runs to the end within it.
func TestHostileTraceUnderMemoryLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command in subprocesses")
	}
	tests := []struct {
		name  string
		trace string
		flags []string
		code  int
		want  string
	}{
		{"runFor 1e15", `{"at":0,"op":"create","pod":{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i"}]}},"runFor":1e15}`,
			nil, 1, "trace.jsonl:1: runFor: want a number of seconds 0..2678400 (31 days, the bound of a trace), got 1e+15"},
		{"at 1e12", `{"at":1e12,"op":"scale","workload":"a/b","kind":"Deployment","replicas":1,"template":` + hostileTemplate + `}`,
			nil, 1, "trace.jsonl:1: at: want a number of seconds 0..2678400"},
		{"replicas 2147483647", `{"at":0,"op":"scale","workload":"a/b","kind":"Deployment","replicas":2147483647,"template":` + hostileTemplate + `}`,
			nil, 1, "trace.jsonl:1: replicas: want 0..100000 (the bound of a scale), got 2147483647"},
		{"replicas 1e9", `{"at":0,"op":"scale","workload":"a/b","kind":"Job","replicas":1000000000,"runFor":60,"template":` + hostileTemplate + `}`,
			nil, 1, "trace.jsonl:1: replicas: want 0..100000"},
		{"until 2000000h", `{"at":0,"op":"scale","workload":"a/b","kind":"Deployment","replicas":1,"template":` + hostileTemplate + `}`,
			[]string{"--until", "2000000h"}, 1, "--until 2000000h0m0s: want 0..744h0m0s (31 days, the bound of a trace's times)"},
		{"at the bounds", `{"at":2678400,"op":"create","pod":{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i"}]}},"runFor":2678400}`,
			nil, 0, "Simulated 5356800 s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tr := filepath.Join(dir, "trace.jsonl")
			if err := os.WriteFile(tr, []byte(tt.trace+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd, stdout, stderr := spillway(t, 500, append([]string{"simulate", "--trace", tr, "--out", filepath.Join(dir, "out"), "--no-progress"}, tt.flags...)...)
			code := exitCode(t, cmd)
			all := stdout.String() + stderr.String()
			if code != tt.code || !strings.Contains(all, tt.want) || strings.Contains(all, "goroutine ") {
				t.Errorf("exit %d, want %d with %q; output:\n%.2000s", code, tt.code, tt.want, all)
			}
			if rss := peakRSSMB(cmd); rss >= 500 && !raceEnabled {
				t.Errorf("peak resident size %d MB, want < 500", rss)
			} else {
				t.Logf("exit %d, peak resident size %d MB", code, rss)
			}
		})
	}
}
