// Command spillway is Spillway's offline tool: it replays workload traces
// through the real kube-scheduler framework and Spillway's plugins, in
// process, on a virtual clock (simulate), compares scenarios in what-if
// reports (whatif), and converts public traces (import).
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"
)

func main() {
	if err := newRootCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "spillway:", err)
		os.Exit(1)
	}
}

// newRootCommand builds the command tree.
func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "spillway",
		Short:         "Spillway's offline tools: replay workloads through the real scheduler profiles",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newSimulateCommand(), newWhatifCommand(), newImportCommand(), newTuneCommand(),
		newPlanCommand(), newPricesCommand(), newFormatsTopic())
	return root
}

// quiet keeps the scheduler framework's logs out of the output.
func quiet() {
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false)
}
