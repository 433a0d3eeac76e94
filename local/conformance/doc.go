// Package conformance holds the test that keeps docs/conformance.md and the
// tests in step: every row a test cites exists, every test a row names
// exists and cites the row back. It has no code of its own.
package conformance
