// Package v1 holds the versioned (kubescheduler.config.k8s.io/v1) args of
// the Spillway plugins, their defaults and their conversion to the internal
// types. Pointer fields tell "unset" (defaulted) from an explicit zero.
package v1
