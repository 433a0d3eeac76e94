package obs

import (
	"encoding/json"
	"testing"
)

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uote\back`, "\b\f\n\r\t\x00\x1f\x7f", "<a href=x>&amp;</a>",
		"\u2028\u2029", "\xff\xfe bad utf8 \xc3", "中文 ✓ 🙂", "\u0085\u200b\u202e", "tail\xe2\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Fatalf("appendJSONString(%q) = %s, json.Marshal = %s", s, got[1:], want)
		}
	})
}

// An event's stdout line is what json.Marshal makes of the same keys and
// values in order: a flat object an SLS index or jq reads alike.
func TestMarshalJSONIsEncodingJSONs(t *testing.T) {
	e := Event{Fields: []Field{{"message", "a <b> & \"c\"\n"}, {"k\u2028", "\xff"}, {"empty", ""}}}
	got, err := e.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"message":"a \u003cb\u003e \u0026 \"c\"\n","k\u2028":"\ufffd","empty":""}`
	if string(got) != want {
		t.Fatalf("MarshalJSON = %s\nwant         %s", got, want)
	}
	if !json.Valid(got) {
		t.Fatal("not valid JSON")
	}
}
