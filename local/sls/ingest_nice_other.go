//go:build !linux

package sls

// backgroundPriority is a no-op where a thread's priority cannot be set
// portably.
func backgroundPriority() {}
