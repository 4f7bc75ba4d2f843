package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the spillway command: with SPILLWAY_TEST_ARGS
// set (a JSON list of arguments) it runs them as main would, under an
// address-space limit of SPILLWAY_TEST_LIMIT_MB when set, and exits. The
// tests use it for what needs a process of its own: signals, memory
// limits, a pipe on stdin.
func TestMain(m *testing.M) {
	if js := os.Getenv("SPILLWAY_TEST_ARGS"); js != "" {
		var args []string
		if err := json.Unmarshal([]byte(js), &args); err != nil {
			panic(err)
		}
		if mb, _ := strconv.Atoi(os.Getenv("SPILLWAY_TEST_LIMIT_MB")); mb > 0 {
			go memoryWatchdog(uint64(mb) << 20)
		}
		os.Exit(run(context.Background(), args, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// memoryWatchdog ends the process with status 3 once the Go runtime holds
// more than limit bytes of memory from the OS: a hard limit (an
// RLIMIT_AS would count the address space the runtime reserves, not
// what it uses). The parent also checks the peak resident size.
func memoryWatchdog(limit uint64) {
	debug.SetMemoryLimit(int64(limit) * 9 / 10)
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	for {
		metrics.Read(sample)
		if used := sample[0].Value.Uint64(); used > limit {
			fmt.Fprintf(os.Stderr, "memory watchdog: %d MB in use, over the limit of %d MB\n", used>>20, limit>>20)
			os.Exit(3)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// peakRSSMB is the largest resident set of the finished cmd, in MB.
func peakRSSMB(cmd *exec.Cmd) int64 {
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss >> 10 // KiB on Linux
	}
	return 0
}

// spillway returns the command that runs args in a process of its own,
// with an address-space limit of limitMB (0: none).
func spillway(t *testing.T, limitMB int, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	js, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SPILLWAY_TEST_ARGS="+string(js), "SPILLWAY_TEST_LIMIT_MB="+strconv.Itoa(limitMB))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// exitCode runs cmd and returns its exit status.
func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}
