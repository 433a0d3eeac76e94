package api

// topLevelKeys lists the keys of the JSON object in body, in document
// order, without decoding anything else: exactFieldNames needs only the
// keys, and decoding the whole body a second time into a map was a third
// of reading a request. body must be one valid JSON value (decodeStrict
// has decoded it by then). ok is false when it is not an object or when a
// key holds an escape (its bytes are then not its name): the caller reads
// those the slow way.
func topLevelKeys(body []byte) (keys []string, ok bool) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, false
	}
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		return nil, true
	}
	for {
		if i >= len(body) || body[i] != '"' {
			return nil, false
		}
		end := i + 1
		for end < len(body) && body[end] != '"' {
			if body[end] == '\\' {
				return nil, false
			}
			end++
		}
		if end >= len(body) {
			return nil, false
		}
		keys = append(keys, string(body[i+1:end]))
		i = skipSpace(body, end+1)
		if i >= len(body) || body[i] != ':' {
			return nil, false
		}
		if i, ok = skipValue(body, i+1); !ok {
			return nil, false
		}
		i = skipSpace(body, i)
		switch {
		case i < len(body) && body[i] == ',':
			i = skipSpace(body, i+1)
		case i < len(body) && body[i] == '}':
			return keys, true
		default:
			return nil, false
		}
	}
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
