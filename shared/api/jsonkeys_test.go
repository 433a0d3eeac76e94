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
		got := scanKeys(body).top
		want, isObject := keysByDecoder(body)
		if !isObject {
			if len(got) != 0 {
				t.Fatalf("scanKeys(%q) found top-level keys %q in what is not an object", body, got)
			}
			return
		}
		if !slices.Equal(got, want) {
			t.Fatalf("scanKeys(%q).top = %q, encoding/json reads %q", body, got, want)
		}
	})
}
