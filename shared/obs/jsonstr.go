package obs

import "unicode/utf8"

// appendJSONString appends s as a JSON string exactly as encoding/json's
// Marshal writes one (HTML-safe: <, > and & as \u003c...; U+2028 and
// U+2029 escaped; invalid UTF-8 as \ufffd), which FuzzAppendJSONString
// holds it to. Events are strings only, and json.Marshal, called per key
// and per value, spent most of a cold start's first log line on reflection
// and the encoder's first use (start-up is measured: issue 10).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c, size := s[i], 1
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
		} else {
			r, n := utf8.DecodeRuneInString(s[i:])
			if (r != utf8.RuneError || n > 1) && r != '\u2028' && r != '\u2029' {
				i += n
				continue
			}
			size = n
		}
		b = append(b, s[start:i]...)
		b = appendJSONEscape(b, s[i:i+size])
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONEscape appends the escape encoding/json writes for seq: one
// byte below U+0080, an invalid byte, or U+2028 or U+2029.
func appendJSONEscape(b []byte, seq string) []byte {
	const hex = "0123456789abcdef"
	switch seq {
	case `"`, `\`:
		return append(b, '\\', seq[0])
	case "\b":
		return append(b, `\b`...)
	case "\f":
		return append(b, `\f`...)
	case "\n":
		return append(b, `\n`...)
	case "\r":
		return append(b, `\r`...)
	case "\t":
		return append(b, `\t`...)
	case "\u2028":
		return append(b, `\u2028`...)
	case "\u2029":
		return append(b, `\u2029`...)
	}
	if c := seq[0]; c < utf8.RuneSelf {
		return append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
	}
	return append(b, `\ufffd`...)
}
