package dysms

import (
	"fmt"
	"strings"
)

// normalisePhone turns the number forms Alibaba accepts into one key:
// mainland numbers lose their +86/86/0086 prefix (11 digits, 1[3-9]...),
// international numbers stay as country code + number, digits only.
// ok is false for anything Alibaba would answer isv.MOBILE_NUMBER_ILLEGAL.
func normalisePhone(raw string) (phone string, ok bool) {
	s := strings.TrimSpace(raw)
	s = strings.TrimPrefix(s, "+")
	if !allDigits(s) {
		return "", false
	}
	for _, prefix := range []string{"0086", "86"} {
		if rest, found := strings.CutPrefix(s, prefix); found && isMainland(rest) {
			return rest, true
		}
	}
	if isMainland(s) {
		return s, true
	}
	// International: country code + subscriber number, never a mangled
	// mainland number (a leading 1 with the wrong length is refused).
	if strings.HasPrefix(s, "0") || strings.HasPrefix(s, "86") || strings.HasPrefix(s, "1") {
		return "", false
	}
	if len(s) < 8 || len(s) > 15 {
		return "", false
	}
	return s, true
}

func isMainland(s string) bool {
	return len(s) == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' && allDigits(s)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// maskPhone keeps the first three and last four digits (138****8000), the
// only form of a number allowed in an emulator log line.
func maskPhone(phone string) string {
	if len(phone) < 8 {
		return "****"
	}
	return phone[:3] + strings.Repeat("*", len(phone)-7) + phone[len(phone)-4:]
}

// maskPhones masks a list of numbers for a log line, showing the first few:
// a 1000-number send must not make a 15 kB line.
func maskPhones(list []string) string {
	const shown = 3
	var masked []string
	for i, p := range list {
		if i == shown {
			masked = append(masked, fmt.Sprintf("(+%d more)", len(list)-shown))
			break
		}
		masked = append(masked, maskPhone(strings.TrimSpace(p)))
	}
	return strings.Join(masked, ",")
}
