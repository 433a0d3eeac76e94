package api

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"unicode/utf8"
)

// keysByDecoder is the reference: the top-level keys of body as
// encoding/json's token reader sees them, in order.
func keysByDecoder(body []byte) ([]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, false
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, false
		}
	}
	return keys, true
}

func FuzzTopLevelKeysAgreeWithEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"a":"x,}\"y","b":[1,{"c":"]"}],"d":{"e":[]},"f":null,"g":true,"h":-1.5e3}`,
		`{"phone_numbers":["13800138000"],"sign_name":"s","template_params":{"code":"1234"}}`,
		`{"Phone_Numbers":[]}`, `{"a":1,"a":2}`, `{"k\u0065y":1}`, `{"é":"ü"}`, "{\n\t\"a\" :\r\n 1 }", `[1]`, `"x"`, `{"a":"\\"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) || !utf8.Valid(body) {
			return // decodeStrict never calls it on anything else
		}
		got, ok := topLevelKeys(body)
		want, isObject := keysByDecoder(body)
		if !ok {
			// Allowed only where the bytes of a key are not its name, or
			// where it is not an object.
			if isObject && !bytes.Contains(body, []byte(`\`)) {
				t.Fatalf("topLevelKeys gave up on %q, an object without escapes", body)
			}
			return
		}
		if !isObject || !slices.Equal(got, want) {
			t.Fatalf("topLevelKeys(%q) = %q, encoding/json reads %q (object: %v)", body, got, want, isObject)
		}
	})
}
