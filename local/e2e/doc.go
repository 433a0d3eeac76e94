// Package e2e holds the end-to-end tests: the real function binaries under
// the FC runtime emulator, talking with the unmodified SDKs to the Dysmsapi
// and SLS emulators, driven over HTTP like a user would.
package e2e
