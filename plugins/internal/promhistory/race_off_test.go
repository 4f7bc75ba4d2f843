//go:build !race

package promhistory

// raceEnabled: the race detector slows decoding ~10x; memory tests run
// smaller under it and at full size in make test's run without it.
const raceEnabled = false
