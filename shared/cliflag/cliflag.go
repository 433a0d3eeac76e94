// Package cliflag parses the operator commands' flags (smsflow trace,
// smsflow provision, go run ./local trace) without ever repeating an
// argument back. An operator pastes a phone number, a template value or a
// token where a flag value or a trace id goes often enough; the flag
// package quotes the value in its error and prints it on stderr itself,
// and the terminal, the shell's scrollback and whatever collects the
// command's output keep it. These errors name the flag and say what it
// takes instead.
package cliflag

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"time"
)

// Parse is fs.Parse(args), quiet: nothing is printed but the flags'
// defaults on -h, and an error names the flag, never the value given.
func Parse(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		if fs.Usage != nil {
			fs.Usage()
		} else {
			fmt.Fprintf(out, "Usage of %s:\n", fs.Name())
			fs.PrintDefaults()
		}
		return err
	}
	return fmt.Errorf("%s (%s -h lists the flags)", describe(fs, err), fs.Name())
}

var (
	// The flag package's messages (Go 1.26 flag.go, FlagSet.parseOne);
	// the name is the text between '-' and '=' or the end of the argument.
	invalidValue = regexp.MustCompile(`^invalid (?:boolean )?value ".*" for (?:flag )?-(.*?): `)
	invalidBool  = regexp.MustCompile(`^invalid boolean flag (.*?): `)
	needsValue   = regexp.MustCompile(`^flag needs an argument: -(.*)$`)
	notDefined   = regexp.MustCompile(`^flag provided but not defined: -(.*)$`)
	flagName     = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_-]{0,39}$`)
)

// describe rewrites a flag package error without the argument it quotes.
// A name is repeated only when it is one of fs's flags, or looks like a
// flag name (a mistyped one); anything else is said without it.
func describe(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if m := invalidValue.FindStringSubmatch(msg); m != nil && fs.Lookup(m[1]) != nil {
		return fmt.Sprintf("invalid value for -%s: %s", m[1], takes(fs.Lookup(m[1])))
	}
	if m := invalidBool.FindStringSubmatch(msg); m != nil && fs.Lookup(m[1]) != nil {
		return fmt.Sprintf("invalid value for -%s: %s", m[1], takes(fs.Lookup(m[1])))
	}
	if m := needsValue.FindStringSubmatch(msg); m != nil && fs.Lookup(m[1]) != nil {
		return fmt.Sprintf("-%s needs a value: %s", m[1], takes(fs.Lookup(m[1])))
	}
	if m := notDefined.FindStringSubmatch(msg); m != nil && flagName.MatchString(m[1]) {
		return fmt.Sprintf("no flag -%s", m[1])
	}
	return "an argument starting with '-' is not one of the flags (put -- before an argument that starts with '-')"
}

// takes says what kind of value f wants.
func takes(f *flag.Flag) string {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return "see its usage"
	}
	switch g.Get().(type) {
	case time.Duration:
		return "a duration such as 30s, 10m or 24h"
	case bool:
		return "true or false (or the flag alone)"
	case int, int64, uint, uint64:
		return "a whole number"
	case float64:
		return "a number"
	}
	return "see its usage"
}

// Positive refuses a duration flag that is zero or negative: a timeout of
// 0 is no bound at all, a look-back of -1h a window that ends before it
// starts. name is the flag as typed, "-timeout".
func Positive(name string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s must be a positive duration, such as 30s, 10m or 24h", name)
	}
	return nil
}
