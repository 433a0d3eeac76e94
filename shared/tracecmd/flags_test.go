package tracecmd

import (
	"flag"
	"io"
	"slices"
	"testing"
	"time"
)

func TestTraceFlagsGoEitherSideOfTheID(t *testing.T) {
	for _, args := range [][]string{
		{"abc", "-receipt-wait", "3s"},
		{"-receipt-wait", "3s", "abc"},
		{"-receipt-wait=3s", "abc", "-since", "1h"},
		{"abc", "-receipt-wait", "3s", "-since=1h"},
	} {
		fs := flag.NewFlagSet("trace", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		wait := fs.Duration("receipt-wait", time.Minute, "")
		fs.Duration("since", time.Hour, "")
		ids, err := ParseInterleaved(fs, args)
		if err != nil || !slices.Equal(ids, []string{"abc"}) || *wait != 3*time.Second {
			t.Errorf("%q: ids %q, receipt-wait %s, %v; want [abc] and 3s", args, ids, *wait, err)
		}
	}
	fs := flag.NewFlagSet("trace", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Duration("receipt-wait", time.Minute, "")
	if ids, err := ParseInterleaved(fs, []string{"-receipt-wait", "3s", "--", "-looks-like-a-flag"}); err != nil || !slices.Equal(ids, []string{"-looks-like-a-flag"}) {
		t.Errorf("after --: %q %v", ids, err)
	}
	if _, err := ParseInterleaved(fs, []string{"abc", "-nope"}); err == nil {
		t.Error("an unknown flag after the id was accepted")
	}
	if ids, _ := ParseInterleaved(fs, []string{"a", "b"}); len(ids) != 2 {
		t.Errorf("two ids: %q, want both kept (the caller refuses them)", ids)
	}
}
