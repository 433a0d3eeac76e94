package api

import (
	"bytes"
	"encoding/json"
	"slices"
)

// keyScan is what one pass over a request body's keys finds, without
// decoding any value: the top-level object's keys in document order, as
// their names (escapes read: "phone\u005fnumbers" is phone_numbers), and
// the first key given twice in one object, by its path
// ("template_params.code"). Decoding the body a second time into maps
// for either was a third of reading a request.
type keyScan struct {
	top      []string
	repeated string
}

// scanKeys scans body, which must be one valid JSON value (decodeStrict
// has decoded it by then; Deliver scans a message before that, and
// whatever it finds in a body that is not valid JSON is refused anyway).
func scanKeys(body []byte) keyScan {
	var s keyScan
	s.value(body, skipSpace(body, 0), "", 0)
	return s
}

// maxKeyDepth bounds the walk; a request body that decoded into
// wireRequest is two objects deep at most.
const maxKeyDepth = 32

// value walks the value at b[i:] and returns the index past it.
func (s *keyScan) value(b []byte, i int, at string, depth int) int {
	if i >= len(b) || depth > maxKeyDepth {
		return len(b)
	}
	switch b[i] {
	case '{':
		return s.object(b, i, at, depth)
	case '[':
		i = skipSpace(b, i+1)
		for i < len(b) && b[i] != ']' {
			i = skipSpace(b, s.value(b, i, at, depth+1))
			if i < len(b) && b[i] == ',' {
				i = skipSpace(b, i+1)
			}
		}
		return i + 1
	default:
		end, _ := skipValue(b, i)
		return end
	}
}

func (s *keyScan) object(b []byte, i int, at string, depth int) int {
	var keys []string
	i = skipSpace(b, i+1)
	for i < len(b) && b[i] == '"' {
		keyEnd, _ := skipValue(b, i)
		key := jsonKey(b[i:keyEnd])
		path := key
		if at != "" {
			path = at + "." + key
		}
		if s.repeated == "" && slices.Contains(keys, key) {
			s.repeated = path
		}
		keys = append(keys, key)
		i = skipSpace(b, keyEnd)
		i = skipSpace(b, i+1) // past ':'
		i = skipSpace(b, s.value(b, i, path, depth+1))
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	if depth == 0 {
		s.top = keys
	}
	return i + 1
}

// jsonKey is a quoted key's name.
func jsonKey(quoted []byte) string {
	if bytes.IndexByte(quoted, '\\') < 0 {
		return string(quoted[1 : len(quoted)-1])
	}
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return string(quoted)
	}
	return s
}

// skipValue returns the index just past the JSON value that starts at or
// after i (after insignificant space), or, for a number or literal, the
// index of the ',' or '}' that ends it.
func skipValue(b []byte, i int) (int, bool) {
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if i >= len(b) {
				return 0, false
			}
			if depth == 0 {
				return i + 1, true
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i, true
			}
			if depth--; depth == 0 {
				return i + 1, true
			}
		case ',':
			if depth == 0 {
				return i, true
			}
		}
		i++
	}
	return 0, false
}

// skipSpace skips JSON's insignificant whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}
