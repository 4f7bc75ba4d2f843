// Command spillway is Spillway's offline tool. Today it has one command,
// demo, which replays a small bundled scenario through the shipped
// scheduler profiles in process; the trace simulator and what-if reports
// will join it.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	root := &cobra.Command{
		Use:           "spillway",
		Short:         "Spillway's offline tools: replay workloads through the real scheduler profiles",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newDemoCommand())
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "spillway:", err)
		os.Exit(1)
	}
}
