package e2e

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

// resultsFileEnv names a file that TestMain writes the RESULT lines to:
// `go test` shows nothing of a passing package run in package list mode
// (`go test ./...`), so `make test` prints the file instead.
const resultsFileEnv = "SPILLWAY_E2E_RESULTS"

// results collects the measurements of the package's tests (throughput,
// recovery times, fidelity shares), printed as one summary when the tests end.
var results struct {
	mu    sync.Mutex
	lines map[string]string // by the line's first two words, the latest run wins
}

// recordResult logs a measurement as a line `RESULT <what> key=value ...`
// and keeps it for the summary that TestMain prints. The format is stable:
// grep for '^RESULT '.
func recordResult(t testing.TB, what string, kv ...any) {
	t.Helper()
	if len(kv)%2 != 0 {
		t.Fatalf("recordResult(%q): odd number of key-value arguments", what)
	}
	var b strings.Builder
	b.WriteString("RESULT " + what)
	for i := 0; i < len(kv); i += 2 {
		v := kv[i+1]
		if f, ok := v.(float64); ok {
			v = fmt.Sprintf("%.3g", f)
			if f >= 100 {
				v = fmt.Sprintf("%.0f", f)
			}
		}
		fmt.Fprintf(&b, " %v=%v", kv[i], v)
	}
	line := b.String()
	t.Log(line)
	results.mu.Lock()
	defer results.mu.Unlock()
	if results.lines == nil {
		results.lines = map[string]string{}
	}
	results.lines[what] = line
}

// printResults writes the summary of every recorded result to w, and to
// the file named by $SPILLWAY_E2E_RESULTS if set.
func printResults(w io.Writer) {
	results.mu.Lock()
	lines := make([]string, 0, len(results.lines))
	for _, l := range results.lines {
		lines = append(lines, l)
	}
	results.mu.Unlock()
	if len(lines) == 0 {
		return
	}
	sort.Strings(lines)
	summary := "end-to-end measurements:\n" + strings.Join(lines, "\n") + "\n"
	_, _ = io.WriteString(w, summary)
	if file := os.Getenv(resultsFileEnv); file != "" {
		if err := os.WriteFile(file, []byte(summary), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "writing %s: %v\n", file, err)
		}
	}
}
