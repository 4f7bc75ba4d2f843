// Package manifests holds Spillway's deployment manifests; Go code reads
// the scheduler configuration from here so that the simulator's default
// profile is the one that ships.
package manifests

import _ "embed"

//go:embed scheduler-config.yaml
var schedulerConfig []byte

// SchedulerConfigFile is the name of the shipped scheduler configuration,
// for messages.
const SchedulerConfigFile = "manifests/scheduler-config.yaml"

// SchedulerConfig returns the shipped KubeSchedulerConfiguration file.
func SchedulerConfig() []byte { return append([]byte(nil), schedulerConfig...) }
