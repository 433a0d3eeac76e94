package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// repeatedKey finds a key that appears twice in one object of body, which
// encoding/json has already judged valid: it keeps the last value (and
// merges two template_params objects), so {"sign_name":"a","sign_name":"b"}
// sends "b" while a reader that keeps the first (a proxy, an audit log, a
// WAF) sees "a". One message must read the same to everyone: such a body
// is refused. path is the key's place, "template_params.code".
func repeatedKey(body []byte) (path string, found bool) {
	_, path, found = repeatedIn(body, skipSpace(body, 0), "", 0)
	return path, found
}

// repeatedField is the refusal of a body with a repeated key, or nil.
func repeatedField(body []byte) *Error {
	path, found := repeatedKey(body)
	if !found {
		return nil
	}
	path = safeName(path)
	return newError(http.StatusBadRequest, CodeRepeatedField, path,
		fmt.Sprintf("%s is given twice: each field may appear once", path))
}

// maxKeyDepth bounds the walk; a request body that decoded into
// wireRequest is two objects deep at most.
const maxKeyDepth = 32

// repeatedIn walks the value at b[i:] and returns the index past it.
func repeatedIn(b []byte, i int, at string, depth int) (end int, path string, found bool) {
	if i >= len(b) || depth > maxKeyDepth {
		return len(b), "", false
	}
	switch b[i] {
	case '{':
		return repeatedInObject(b, i, at, depth)
	case '[':
		i = skipSpace(b, i+1)
		for i < len(b) && b[i] != ']' {
			if i, path, found = repeatedIn(b, i, at, depth+1); found {
				return i, path, true
			}
			if i = skipSpace(b, i); i < len(b) && b[i] == ',' {
				i = skipSpace(b, i+1)
			}
		}
		return i + 1, "", false
	default:
		end, _ := skipValue(b, i)
		return end, "", false
	}
}

func repeatedInObject(b []byte, i int, at string, depth int) (end int, path string, found bool) {
	var keys []string
	i = skipSpace(b, i+1)
	for i < len(b) && b[i] == '"' {
		keyEnd, _ := skipValue(b, i)
		key := jsonKey(b[i:keyEnd])
		here := key
		if at != "" {
			here = at + "." + key
		}
		for _, k := range keys {
			if k == key {
				return keyEnd, here, true
			}
		}
		keys = append(keys, key)
		i = skipSpace(b, keyEnd)
		i = skipSpace(b, i+1) // past ':'
		if i, path, found = repeatedIn(b, i, here, depth+1); found {
			return i, path, true
		}
		if i = skipSpace(b, i); i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return i + 1, "", false
}

// jsonKey is a quoted key's name: "phone\u005fnumbers" is phone_numbers.
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
