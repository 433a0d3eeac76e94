// Package text says which characters are unfit for text that people read
// (an SMS, a log line, a terminal) and escapes them where text must pass
// through anyway. The unfit ones are the class, not a list of examples:
// controls (Unicode category Cc: C0, DEL, C1 U+0080-U+009F), format
// characters (Cf: bidi embeddings, overrides and isolates U+202A-E and
// U+2066-9, zero-width U+200B-D, U+2060, U+FEFF, soft hyphen, tags...),
// line and paragraph separators (Zl U+2028, Zp U+2029), private use (Co),
// surrogates (Cs), noncharacters (U+FDD0-U+FDEF, U+xFFFE/U+xFFFF), and
// U+FFFD, the mark of a decoding that went wrong (invalid UTF-8 or a lone
// surrogate escape in JSON becomes it). They can reorder what a reader
// sees, hide characters, or break a log line or a terminal.
package text

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Unfit reports whether r must not appear in readable text.
func Unfit(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return true
	case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Co, unicode.Cs):
		return true
	default:
		return noncharacter(r)
	}
}

func noncharacter(r rune) bool {
	return (r >= 0xFDD0 && r <= 0xFDEF) || r&0xFFFE == 0xFFFE
}

// FirstUnfit finds the first unfit character of s (invalid UTF-8 counts):
// the rune, its 0-based character position, and whether there is one.
func FirstUnfit(s string) (rune, int, bool) {
	pos := 0
	for _, r := range s {
		// Invalid UTF-8 decodes as utf8.RuneError, which is unfit.
		if Unfit(r) {
			return r, pos, true
		}
		pos++
	}
	return 0, 0, false
}

// Describe names r for an error message: its code point and, for the
// best-known ones, what it is. It never prints r itself.
func Describe(r rune) string {
	name := ""
	switch {
	case r < 0x20 || r == 0x7F:
		name = "control character"
	case r >= 0x80 && r <= 0x9F:
		name = "C1 control character"
	case r == 0x2028 || r == 0x2029:
		name = "line/paragraph separator"
	case (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C:
		name = "bidirectional control"
	case (r >= 0x200B && r <= 0x200D) || r == 0x2060 || r == 0xFEFF:
		name = "zero-width character"
	case r == utf8.RuneError:
		name = "replacement character (invalid UTF-8 or a lone surrogate)"
	case unicode.Is(unicode.Cf, r):
		name = "invisible format character"
	case unicode.Is(unicode.Co, r):
		name = "private-use character"
	default:
		name = "noncharacter"
	}
	return fmt.Sprintf("U+%04X (%s)", r, name)
}

// Escape makes s safe to print on a terminal or in a one-line log: every
// unfit character, and every byte of invalid UTF-8, becomes a visible Go
// escape (\x1b, \u202e, \xff). Text without such characters is returned
// unchanged.
func Escape(s string) string {
	if _, _, found := FirstUnfit(s); !found {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && Unfit(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case Unfit(r) && r <= 0xFFFF:
			fmt.Fprintf(&b, `\u%04x`, r)
		case Unfit(r):
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
