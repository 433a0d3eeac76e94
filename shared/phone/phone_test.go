package phone

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

// conformance: DY-12
func TestNormalizeAccepts(t *testing.T) {
	cases := []struct{ in, upstream, cc, masked string }{
		{"13800138000", "13800138000", "86", "138****8000"},
		{"+8613800138000", "13800138000", "86", "138****8000"},
		{"8613800138000", "13800138000", "86", "138****8000"},
		{"008613800138000", "13800138000", "86", "138****8000"},
		{" 138-0013-8000 ", "13800138000", "86", "138****8000"},
		{"19912345678", "19912345678", "86", "199****5678"},
		{"+85261234567", "85261234567", "852", "+852 ****4567"},
		{"0085261234567", "85261234567", "852", "+852 ****4567"},
		{"85261234567", "85261234567", "852", "+852 ****4567"},
		{"+12125552671", "12125552671", "1", "+1 ******2671"},
		{"+447911123456", "447911123456", "44", "+44 ******3456"},
	}
	for _, c := range cases {
		n, err := Normalize(c.in)
		if err != nil {
			t.Errorf("Normalize(%q): %v", c.in, err)
			continue
		}
		if n.Upstream() != c.upstream || n.CountryCode() != c.cc || n.Masked() != c.masked {
			t.Errorf("Normalize(%q) = upstream %q cc %q masked %q; want %q %q %q",
				c.in, n.Upstream(), n.CountryCode(), n.Masked(), c.upstream, c.cc, c.masked)
		}
	}
}

// conformance: DY-12
func TestNormalizeRefuses(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{"", ErrEmpty},
		{"   ", ErrEmpty},
		{"1380013800", ErrMainland},  // 10 digits
		{"12800138000", ErrMainland}, // no 12x mobile prefix
		{"+8612800138000", ErrMainland},
		{"+86138001380001", ErrMainland},
		{"138001380a0", ErrCharacters},
		{"+86(138)0013", ErrCharacters},
		{"+999123456", ErrCountryCode},
		{"+852123", ErrLength},
		{"+4479111234567890", ErrLength},
		{"0212345678", ErrNotSupported},
		{"++8613800138000", ErrCharacters},
		{"+14155552671", ErrAmbiguous}, // would be read as mainland 141…
		{"0014155552671", ErrAmbiguous},
	}
	for _, c := range cases {
		_, err := Normalize(c.in)
		if !errors.Is(err, c.want) {
			t.Errorf("Normalize(%q) error = %v, want %v", c.in, err, c.want)
		}
	}
}

// A number must never leak through the ways values reach logs and errors.
func TestNumberNeverPrintsInFull(t *testing.T) {
	n, err := Normalize("+8613800138000")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "phone", n, "err", fmt.Errorf("send to %v failed", n))
	js, _ := json.Marshal(map[string]any{"n": n})
	out := buf.String() + string(js) + fmt.Sprintf("%v %s %+v %#v %d", n, n, n, n, n)
	if strings.Contains(out, "13800138000") || strings.Contains(out, "00138000") {
		t.Fatalf("full number leaked: %s", out)
	}
	if !strings.Contains(out, "138****8000") {
		t.Fatalf("masked form missing: %s", out)
	}
}

func TestHasherIsKeyedAndStable(t *testing.T) {
	a, _ := Normalize("13800138000")
	b, _ := Normalize("+8613800138000")
	c, _ := Normalize("13800138001")
	h1, h2 := NewHasher([]byte("k1")), NewHasher([]byte("k2"))
	if h1.Hash(a) != h1.Hash(b) {
		t.Error("the same number in two forms hashes differently")
	}
	if h1.Hash(a) == h1.Hash(c) {
		t.Error("two numbers share a hash")
	}
	if h1.Hash(a) == h2.Hash(a) {
		t.Error("hash does not depend on the key")
	}
	if len(h1.Hash(a)) != 32 || strings.Contains(h1.Hash(a), "13800138000") {
		t.Errorf("unexpected hash %q", h1.Hash(a))
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"13800138000", "+8613800138000", "008613800138000", "+85261234567", "", "+", "00", "1 2-3", "+999", "86"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Normalize(s)
		if err != nil {
			if n.Valid() {
				t.Fatalf("invalid input %q produced a valid number", s)
			}
			return
		}
		up := n.Upstream()
		if len(up) < 5 || len(up) > 15 {
			t.Fatalf("%q: upstream %q has a bad length", s, up)
		}
		// Normalising is idempotent on every accepted form.
		again, err := Normalize("+" + n.CountryCode() + strings.TrimPrefix(up, n.CountryCode()))
		if n.Mainland() {
			again, err = Normalize(up)
		}
		if err != nil || again != n {
			t.Fatalf("%q: renormalising %q gave %v, %v", s, up, again, err)
		}
		if strings.Contains(n.Masked(), n.Upstream()) {
			t.Fatalf("%q: mask reveals the number", s)
		}
	})
}

// countryCodeOf binary-searches the table and takes the first code that
// matches: both hold only while it is sorted, prefix-free, and made of
// one- to three-digit codes.
func TestCountryCodesAreSortedPrefixFreeDigits(t *testing.T) {
	if !slices.IsSorted(countryCodes) {
		t.Fatal("countryCodes is not sorted: BinarySearch would miss codes")
	}
	for i, c := range countryCodes {
		if len(c) < 1 || len(c) > 3 || strings.Trim(c, "0123456789") != "" {
			t.Errorf("country code %q is not 1-3 digits", c)
		}
		for _, d := range countryCodes[i+1:] {
			if strings.HasPrefix(d, c) {
				t.Errorf("country code %q is a prefix of %q", c, d)
			}
		}
	}
	for code, want := range map[string]string{"8613800138000": "86", "14155550123": "1", "447700900123": "44", "35312345678": "353", "9991234": ""} {
		if got := countryCodeOf(code); got != want {
			t.Errorf("countryCodeOf(%s) = %q, want %q", code, got, want)
		}
	}
}
