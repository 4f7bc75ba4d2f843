// Command benchtable turns the output of `go test -bench` (any number of
// runs of any Benchmark*, concatenated) into the short table `make bench`
// prints: the median of every metric per benchmark, the ratios and the
// targets of bench/workloads.yaml.
//
//	benchtable [-workloads bench/workloads.yaml] results.txt...
//
// It exits 2 when a target is missed (after printing the whole table), 1
// on an error, so that `make bench` fails on a missed target.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/spillway-dev/spillway/bench"
)

func main() {
	wfile := flag.String("workloads", "bench/workloads.yaml", "workloads file with the targets")
	flag.Parse()
	err := run(*wfile, flag.Args(), os.Stdout)
	switch {
	case errors.Is(err, errTargetsMissed):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// errTargetsMissed is run's answer when the table is written but some
// target was missed.
var errTargetsMissed = errors.New("targets missed")

func run(wfile string, files []string, out io.Writer) error {
	w, err := bench.LoadWorkloads(wfile)
	if err != nil {
		return err
	}
	res := newResults()
	if len(files) == 0 {
		files = []string{"-"}
	}
	for _, f := range files {
		in := os.Stdin
		if f != "-" {
			if in, err = os.Open(f); err != nil {
				return err
			}
		}
		err := res.parse(in, f)
		if f != "-" {
			in.Close()
		}
		if err != nil {
			return err
		}
	}
	if len(res.order) == 0 {
		return fmt.Errorf("no benchmark results in %v", files)
	}
	bw := bufio.NewWriter(out)
	res.writeTable(bw)
	failed := writeTargets(bw, res, w.Targets)
	if err := bw.Flush(); err != nil {
		return err
	}
	if failed > 0 {
		fmt.Fprintf(out, "\n%d target(s) missed: see bench/README.md for the gaps and where the time goes.\n", failed)
		return fmt.Errorf("%d %w", failed, errTargetsMissed)
	}
	return nil
}
