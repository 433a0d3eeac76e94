package cliflag

import (
	"errors"
	"flag"
	"strings"
	"testing"
	"time"
)

func flags(out *strings.Builder) *flag.FlagSet {
	fs := flag.NewFlagSet("smsflow trace", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Duration("since", time.Hour, "how far back")
	fs.Bool("spans", false, "spans")
	fs.String("project", "", "project")
	return fs
}

// An operator pastes a phone number where a flag value or a flag goes:
// neither the error nor anything printed repeats it, and the error names
// the flag and what it takes.
func TestParseNeverRepeatsTheArgument(t *testing.T) {
	const phone = "13800138000"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-since", phone}, "invalid value for -since: a duration"},
		{[]string{"-since=" + phone}, "invalid value for -since: a duration"},
		{[]string{"-spans=" + phone}, "invalid value for -spans: true or false"},
		{[]string{"-since"}, "-since needs a value"},
		{[]string{"-" + phone}, "not one of the flags"},
		{[]string{"--" + phone + "=x"}, "not one of the flags"},
		{[]string{"-=" + phone}, "not one of the flags"},
		{[]string{"-sinse", "1h"}, "no flag -sinse"},
	} {
		var out strings.Builder
		err := Parse(flags(&out), c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "smsflow trace -h") {
			t.Errorf("%q: err = %v, want %q and a pointer to -h", c.args, err, c.want)
		}
		if err != nil && strings.Contains(err.Error()+out.String(), phone) {
			t.Errorf("%q: the number was repeated: err %q, printed %q", c.args, err, out.String())
		}
	}
}

func TestParseStillPrintsTheFlagsOnHelp(t *testing.T) {
	var out strings.Builder
	if err := Parse(flags(&out), []string{"-h"}); !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-since") {
		t.Fatalf("err = %v, printed %q", err, out.String())
	}
	var out2 strings.Builder
	fs := flags(&out2)
	if err := Parse(fs, []string{"-since", "2h", "-spans", "id"}); err != nil || fs.Arg(0) != "id" || out2.Len() != 0 {
		t.Fatalf("a good command line: %v, args %q, printed %q", err, fs.Args(), out2.String())
	}
}

func TestPositiveRefusesZeroAndNegativeNamingTheFlag(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second, -1 << 63} {
		if err := Positive("-timeout", d); err == nil || !strings.Contains(err.Error(), "-timeout must be a positive duration") {
			t.Errorf("%s: err = %v", d, err)
		}
	}
	if err := Positive("-timeout", time.Nanosecond); err != nil {
		t.Errorf("1ns: %v", err)
	}
}
