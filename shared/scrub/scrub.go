// Package scrub hides a request's personal data (its phone numbers and
// template parameter values, such as an OTP) in text that travels to a
// caller or a log: Alibaba's messages and transport errors may echo the
// request back. The exact values go first, in every form they may be
// echoed in, and only then are the remaining long digit runs masked:
// masking digits first would leave a long value half visible (739*****)
// and no longer equal to itself, so the exact match would miss it.
package scrub

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"smsflow/shared/phone"
)

// Hidden replaces a template parameter value.
const Hidden = "***"

// Text hides numbers and values in s, then masks what is left of any run
// of digits long enough to be a phone number.
func Text(s string, numbers []phone.Number, values []string) string {
	if s == "" {
		return s
	}
	// label[i] says what byte i of s belongs to: 0 nothing, -1 a value,
	// k > 0 the number numbers[k-1]. Overlapping and nested matches
	// merge, so a value that is part of another, or of a number, hides
	// the whole run they cover.
	label := make([]int, len(s))
	mark := func(start, end, l int) {
		for i := start; i < end; i++ {
			if label[i] == 0 || l < 0 {
				label[i] = l
			}
		}
	}
	digits := countDigits(s)
	for k, n := range numbers {
		// A number's pattern needs all its national digits: where s has
		// fewer (an "OK", most messages), compiling it is wasted work.
		if !n.Valid() || digits < nationalDigits(n) {
			continue
		}
		for _, loc := range numberPattern(n).FindAllStringIndex(s, -1) {
			mark(loc[0], loc[1], k+1)
		}
	}
	for _, v := range values {
		for _, form := range forms(v) {
			for i := 0; i+len(form) <= len(s); {
				j := strings.Index(s[i:], form)
				if j < 0 {
					break
				}
				mark(i+j, i+j+len(form), -1)
				i += j + 1
			}
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		l := label[i]
		if l == 0 {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && label[j] != 0 {
			if label[j] < 0 {
				l = -1
			}
			j++
		}
		if l < 0 {
			b.WriteString(Hidden)
		} else {
			b.WriteString(numbers[l-1].Masked())
		}
		i = j
	}
	return Digits(b.String())
}

// numberPattern matches n's digits however they are grouped (13800138000,
// 138 0013 8000, 138-0013-8000, +86 138...), with or without its country
// code.
func numberPattern(n phone.Number) *regexp.Regexp {
	digits := strings.Split(n.Upstream(), "")
	national := digits[len(n.CountryCode()):]
	if n.Mainland() {
		national = digits
	}
	const sep = `[\s\-.()/]*`
	cc := strings.Join(strings.Split(n.CountryCode(), ""), sep)
	return regexp.MustCompile(`(?:\+?(?:00)?` + cc + sep + `)?` + strings.Join(national, sep))
}

// forms are the ways a value may appear in an echo: as is, JSON-escaped
// (the TemplateParam document), and URL-escaped (the signed query).
func forms(v string) []string {
	if v == "" {
		return nil
	}
	if unescaped(v) {
		return []string{v}
	}
	out := []string{v}
	add := func(f string) {
		if f != "" && f != v {
			out = append(out, f)
		}
	}
	for _, html := range []bool{true, false} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(html)
		if enc.Encode(v) == nil {
			q := strings.TrimSuffix(buf.String(), "\n")
			add(q[1 : len(q)-1])
		}
	}
	add(url.QueryEscape(v))
	add(url.PathEscape(v))
	return out
}

// unescaped reports whether no form of v differs from v: JSON and URL
// escaping leave letters, digits and -._~ as they are.
func unescaped(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// nationalDigits is how many digits numberPattern(n) needs at least.
func nationalDigits(n phone.Number) int {
	if n.Mainland() {
		return len(n.Upstream())
	}
	return len(n.Upstream()) - len(n.CountryCode())
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			n++
		}
	}
	return n
}

// Name is a caller-chosen name (a JSON key, a template parameter name)
// fit to echo: when it holds as many digits as a phone number, in any
// grouping ("138-0013-8000", "p13800138000"), every digit is masked. A name
// is no message: no date or amount in it deserves to be kept readable.
func Name(s string) string {
	if countDigits(s) < minNumberDigits {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if '0' <= c && c <= '9' {
			b[i] = '*'
		}
	}
	return string(b)
}

// minNumberDigits is the fewest digits a phone number has (Digits masks
// runs of this length).
const minNumberDigits = 7

// longDigits is compiled on first use: start-up is measured (issue 10).
var longDigits = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[0-9]{7,}`) })

// Digits masks every run of 7 or more digits, wholly: what a phone number
// (or a long code) looks like when nothing more is known about it.
func Digits(s string) string {
	return longDigits().ReplaceAllStringFunc(s, func(d string) string { return strings.Repeat("*", len(d)) })
}
