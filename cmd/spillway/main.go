// Command spillway is Spillway's offline tool: it replays workload traces
// through the real kube-scheduler framework and Spillway's plugins, in
// process, on a virtual clock (simulate), compares scenarios in what-if
// reports (whatif), and converts public traces (import).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	k8sversion "k8s.io/component-base/version"
	"k8s.io/klog/v2"
)

// exitInterrupted is the exit status of a run stopped by SIGINT or SIGTERM.
const exitInterrupted = 130

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command line args and returns the exit status. SIGINT and
// SIGTERM cancel the command's context: the command stops, removes its
// temporary files, leaves its outputs as they were, and run says so.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	finished := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			fmt.Fprintln(stderr, "spillway: interrupted: stopping; temporary files are removed and --out is left as it was (again to quit at once)")
			stop() // a second signal ends the process at once
		case <-finished:
		}
	}()
	root := newRootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	interrupted := ctx.Err() != nil
	close(finished)
	switch {
	case err == nil:
		return 0 // done before the signal stopped it: the outputs are whole
	case interrupted:
		if !errors.Is(err, context.Canceled) {
			fmt.Fprintln(stderr, "spillway:", err)
		}
		fmt.Fprintln(stderr, "spillway: interrupted")
		return exitInterrupted
	}
	fmt.Fprintln(stderr, "spillway:", err)
	return 1
}

// newRootCommand builds the command tree.
func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "spillway",
		Short:         "Spillway's offline tools: replay workloads through the real scheduler profiles",
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("spillway {{.Version}}\n")
	// Declared here: a dependency registers a global non-bool "version"
	// flag that cobra would otherwise merge in, and --version printed help.
	root.Flags().Bool("version", false, "print the version and exit")
	root.AddCommand(newSimulateCommand(), newWhatifCommand(), newImportCommand(), newTuneCommand(),
		newPlanCommand(), newPricesCommand(), newFormatsTopic())
	return root
}

// version is the version make build stamps (as it does
// spillway-scheduler's), or else the module version and VCS revision the
// Go toolchain recorded.
func version() string {
	if v := k8sversion.Get(); !strings.HasPrefix(v.GitVersion, "v0.0.0-master") {
		return v.GitVersion + ", " + v.GoVersion
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " (" + rev + dirty + ")"
	}
	return v + ", " + bi.GoVersion
}

// quiet keeps the scheduler framework's logs out of the output.
func quiet() {
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false)
}
