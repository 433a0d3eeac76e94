package alert

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// literal escapes a value that came from the logstore (a group value, an
// example trace id) for keys and messages. Callers may have chosen it, so
// it must neither make two groups one key (a "," or "=" inside a value)
// nor become markup in what the robots render (newlines, headings, links,
// @-mentions, bidi overrides). Letters, digits, "_", "-" and "." stay as
// they are (template codes, provider names, trace ids do not change);
// every other byte becomes %XX, "%" included, so the escape is unambiguous.
func literal(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if plainRune(r) && !(r == utf8.RuneError && size == 1) {
			b.WriteString(s[i : i+size])
		} else {
			for _, c := range []byte(s[i : i+size]) {
				fmt.Fprintf(&b, "%%%02X", c)
			}
		}
		i += size
	}
	return b.String()
}

func isPlain(s string) bool {
	for _, r := range s {
		if !plainRune(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

func plainRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.'
}
