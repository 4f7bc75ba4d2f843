package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNegativeWeightRefused: spillway-scheduler refuses, before it sets
// anything up, a configuration whose multiPoint BurstCost weight is -5,
// naming the file and the field; kube-scheduler 1.34's own validation
// accepts it.
func TestNegativeWeightRefused(t *testing.T) {
	shipped, err := os.ReadFile("../../manifests/scheduler-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(shipped), "weight: 5", "weight: -5", 1)
	file := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := newCommand()
	cmd.SetArgs([]string{"--config=" + file, "--secure-port=0", "--write-config-to=" + filepath.Join(t.TempDir(), "out.yaml")})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	err = cmd.Execute()
	if err == nil {
		t.Fatal("the scheduler accepted a negative weight")
	}
	for _, want := range []string{file, "profiles[0].plugins.multiPoint.enabled[1].weight", "-5", "BurstCost", "must not be negative"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q: %v", want, err)
		}
	}
}
