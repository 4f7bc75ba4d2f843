//go:build race

package main

// raceEnabled: the race detector's shadow memory counts in a process's
// resident size, not in the Go runtime's.
const raceEnabled = true
