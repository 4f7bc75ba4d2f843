// Package config holds the internal types of the Spillway plugins' args.
// They are registered in kube-scheduler's component-config group
// (kubescheduler.config.k8s.io), so a KubeSchedulerConfiguration decodes
// them strictly and defaults them like the in-tree plugins' args.
package config
