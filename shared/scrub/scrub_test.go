package scrub

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"smsflow/shared/phone"
)

func number(t *testing.T, raw string) phone.Number {
	t.Helper()
	n, err := phone.Normalize(raw)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A message that echoes a value, in any form, hides all of it: values of
// every length and shape, values that are parts of each other or of a
// number, values full of regexp metacharacters, values that are common
// words. (issue 10.6)
func TestValuesOfEveryShapeAreHiddenWhole(t *testing.T) {
	values := [][]string{
		{"7"},
		{"OK"},
		{"4821"},
		{"739182"},
		{"73918245"},
		{"12345678901234567890"},
		{"a1B2c3D4e5F6g7H8"},
		{"12", "123456"},
		{"123456", "3456789"},
		{"0013"},
		{`.*+?()[]{}|^$\`},
		{`a"b<c>&d`},
		{"张三 李四"},
		{"x y"},
	}
	numbers := []phone.Number{number(t, "13800138000"), number(t, "+85261234567")}
	for _, vs := range values {
		for _, v := range vs {
			jsonForm, _ := json.Marshal(v)
			for _, echo := range []string{
				"bad value " + v + " here",
				"TemplateParam {\"code\":" + string(jsonForm) + "}",
				"query TemplateParam=" + url.QueryEscape(v) + "&x=1",
				v,
				v + v,
			} {
				got := Text(echo, numbers, vs)
				if strings.Contains(got, v) {
					t.Errorf("values %q: %q -> %q still holds %q", vs, echo, got, v)
				}
				if len(v) >= 3 && hasPrefixOf(got, v) {
					t.Errorf("values %q: %q -> %q shows a part of %q", vs, echo, got, v)
				}
			}
		}
	}
}

// hasPrefixOf reports whether text holds the first 3 or more characters of
// v followed by a mask (the "739*****" leak).
func hasPrefixOf(text, v string) bool {
	for n := 3; n < len(v); n++ {
		if strings.Contains(text, v[:n]+"*") || strings.Contains(text, v[:n]+"#") {
			return true
		}
	}
	return false
}

func TestNumbersInEveryFormAreMasked(t *testing.T) {
	mainland := number(t, "13800138000")
	hk := number(t, "+85261234567")
	for _, echo := range []string{
		"13800138000", "+8613800138000", "8613800138000", "008613800138000", "+86 138 0013 8000",
		"138-0013-8000", "(138) 0013 8000", "85261234567", "+852 6123 4567", "6123-4567",
	} {
		got := Text("number "+echo+" is bad", []phone.Number{mainland, hk}, nil)
		for _, secret := range []string{"0013", "8000138", "61234567", "6123 4567", "6123-4567"} {
			if strings.Contains(got, secret) {
				t.Errorf("%q -> %q", echo, got)
			}
		}
		if !strings.HasPrefix(got, "number ") || !strings.HasSuffix(got, " is bad") {
			t.Errorf("%q -> %q: the text around it was lost", echo, got)
		}
	}
	if got := Text("to 13800138000", []phone.Number{mainland}, nil); got != "to 138****8000" {
		t.Errorf("got %q, want the number's own mask", got)
	}
}

func TestOtherLongDigitRunsAreMaskedWhole(t *testing.T) {
	if got := Text("number 13912345678 is bad", nil, nil); got != "number *********** is bad" {
		t.Fatalf("got %q", got)
	}
	if got := Text("code 123456 and id 42", nil, nil); got != "code 123456 and id 42" {
		t.Fatalf("short runs are no number: %q", got)
	}
}

func TestNameMasksEveryDigitOfANameLongOnDigits(t *testing.T) {
	for in, want := range map[string]string{
		"code2":             "code2",
		"p123456":           "p123456", // six digits: no number
		"p1234567":          "p*******",
		"138-0013-8000":     "***-****-****",
		"+86 138 0013 8000": "+** *** **** ****",
		"a1b2c3d4e5f6g7":    "a*b*c*d*e*f*g*",
	} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %q, want %q", in, got, want)
		}
	}
}
