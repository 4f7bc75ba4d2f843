package main

import (
	"bytes"
	"debug/elf"
	"fmt"
	"runtime"
)

// checkStatic refuses a binary that needs a dynamic loader: an empty base
// has none (build with CGO_ENABLED=0, as `make build` does).
func checkStatic(path string, data []byte) error {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%s: not an ELF binary: %w", path, err)
	}
	defer func() { _ = f.Close() }()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked (it needs an ELF interpreter); build it with CGO_ENABLED=0", path)
		}
	}
	return nil
}

// goarch is the image's architecture: the binaries are built for the
// machine that builds the image (set GOARCH for both to cross-build).
func goarch() string { return runtime.GOARCH }
