// Package phone turns what callers type into the numbers Dysmsapi accepts,
// and keeps full numbers out of logs: a Number prints masked everywhere
// (fmt, slog, JSON) and only Upstream gives the digits, for the API call.
package phone

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// MainlandCode is China's country code; Dysmsapi takes mainland numbers
// without it.
const MainlandCode = "86"

// Errors say what is wrong without repeating the number.
var (
	ErrEmpty        = errors.New("phone number is empty")
	ErrCharacters   = errors.New("phone number may only contain digits, an optional leading '+', spaces and dashes")
	ErrMainland     = errors.New("not a valid mainland China mobile number (11 digits starting 13-19)")
	ErrCountryCode  = errors.New("unknown country code")
	ErrLength       = errors.New("international number needs at least 4 digits after the country code and at most 15 digits in all")
	ErrNotSupported = errors.New("number format not recognised: use 11 mainland digits, or +<country code><number>")
	ErrAmbiguous    = errors.New("this +1 number reads as a mainland China number in Dysmsapi's format (country code + digits) and could reach the wrong phone: it is refused")
)

// Number is a validated phone number. Its zero value is invalid.
type Number struct {
	country  string // country calling code, e.g. "86", "852"
	national string // the rest, digits only
}

// Normalize accepts the forms Alibaba documents: mainland `13800138000`,
// `+8613800138000`, `8613800138000`, `008613800138000`, and international
// numbers as country code + digits (with `+` or `00` optional).
func Normalize(raw string) (Number, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return Number{}, ErrEmpty
	}
	plus := strings.HasPrefix(s, "+")
	s = strings.TrimPrefix(s, "+")
	digits := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == ' ' || c == '-':
		default:
			return Number{}, ErrCharacters
		}
	}
	d := string(digits)
	if d == "" {
		return Number{}, ErrEmpty
	}
	if !plus && strings.HasPrefix(d, "00") {
		d, plus = d[2:], true
	}
	// A bare 11-digit 1[3-9] number is mainland: that is how Alibaba reads
	// a number without a prefix, and no country code would make it shorter.
	if !plus && isMainlandMobile(d) {
		return Number{country: MainlandCode, national: d}, nil
	}
	// Without a prefix, a leading 1 means a mistyped mainland number, not
	// NANP (+1): those callers must write +1 or 001, which we document.
	if !plus && d[0] == '1' {
		return Number{}, ErrMainland
	}
	cc := countryCodeOf(d)
	if cc == "" {
		if plus {
			return Number{}, ErrCountryCode
		}
		return Number{}, ErrNotSupported
	}
	national := d[len(cc):]
	if cc == MainlandCode {
		if !isMainlandMobile(national) {
			return Number{}, ErrMainland
		}
		return Number{country: cc, national: national}, nil
	}
	if len(national) < 4 || len(d) > 15 {
		return Number{}, ErrLength
	}
	// Dysmsapi takes international numbers as country code + digits and
	// reads a bare 11-digit 1[3-9]… number as mainland: a NANP number with
	// an area code starting 3-9 would be sent to China.
	if cc == "1" && isMainlandMobile(d) {
		return Number{}, ErrAmbiguous
	}
	return Number{country: cc, national: national}, nil
}

func isMainlandMobile(d string) bool {
	if len(d) != 11 || d[0] != '1' || d[1] < '3' {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

// Valid reports whether n came from a successful Normalize.
func (n Number) Valid() bool { return n.national != "" }

// Mainland reports whether n is a mainland China number.
func (n Number) Mainland() bool { return n.country == MainlandCode }

// CountryCode is the calling code without '+', e.g. "86".
func (n Number) CountryCode() string { return n.country }

// Upstream is the form Dysmsapi takes: mainland numbers bare, others as
// country code + digits. It is the only accessor that reveals the number:
// never log it.
func (n Number) Upstream() string {
	if n.Mainland() {
		return n.national
	}
	return n.country + n.national
}

// Masked hides the middle of the number: `138****8000`, `+852 ****5678`.
func (n Number) Masked() string {
	if !n.Valid() {
		return ""
	}
	if n.Mainland() {
		return n.national[:3] + "****" + n.national[7:]
	}
	keep := min(4, len(n.national)/2)
	return "+" + n.country + " " + strings.Repeat("*", len(n.national)-keep) + n.national[len(n.national)-keep:]
}

// String, Format, LogValue and MarshalText all mask, so a Number that slips
// into a log line, an error or a JSON document leaks nothing.
func (n Number) String() string                { return n.Masked() }
func (n Number) LogValue() slog.Value          { return slog.StringValue(n.Masked()) }
func (n Number) MarshalText() ([]byte, error)  { return []byte(n.Masked()), nil }
func (n Number) Format(f fmt.State, verb rune) { fmt.Fprint(f, n.Masked()) }
