package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// The whole class, not a few examples: every character of these ranges is
// unfit, and ordinary text of many scripts is fit.
func TestUnfitCoversTheClass(t *testing.T) {
	ranges := [][2]rune{
		{0x00, 0x1F}, {0x7F, 0x9F}, // C0, DEL, C1
		{0x2028, 0x2029},                   // line and paragraph separators
		{0x202A, 0x202E}, {0x2066, 0x2069}, // bidi embeddings, overrides, isolates
		{0x200B, 0x200F}, {0x2060, 0x2064}, {0xFEFF, 0xFEFF}, // zero-width, marks, BOM
		{0x00AD, 0x00AD}, {0x061C, 0x061C}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F}, // soft hyphen, ALM, tags
		{0xE000, 0xF8FF}, {0xF0000, 0xF0010}, // private use
		{0xFDD0, 0xFDEF}, {0xFFFE, 0xFFFF}, {0x1FFFE, 0x1FFFF}, {0x10FFFE, 0x10FFFF}, // noncharacters
		{utf8.RuneError, utf8.RuneError},
	}
	for _, rg := range ranges {
		for r := rg[0]; r <= rg[1]; r++ {
			if !Unfit(r) {
				t.Errorf("U+%04X is fit", r)
			}
			if _, _, found := FirstUnfit("ok" + string(r) + "ok"); !found {
				t.Errorf("FirstUnfit misses U+%04X", r)
			}
		}
	}
	for _, s := range []string{"smsflow", "阿里云短信测试", "Ünïcödé", "مرحبا", "שלום", "🙂👍", "a b\u00a0c\u3000d", "+86-138", "【签名】"} {
		if r, pos, found := FirstUnfit(s); found {
			t.Errorf("%q: U+%04X at %d is called unfit", s, r, pos)
		}
	}
	if r, pos, found := FirstUnfit("ab\xffc"); !found || r != utf8.RuneError || pos != 2 {
		t.Errorf("invalid UTF-8: %U at %d, %v", r, pos, found)
	}
	if r, pos, _ := FirstUnfit("验证码\u202e123"); r != 0x202E || pos != 3 {
		t.Errorf("position counts characters: %U at %d", r, pos)
	}
}

func TestDescribeNeverPrintsTheCharacter(t *testing.T) {
	for _, r := range []rune{0x1B, 0x85, 0x2028, 0x202E, 0x200B, 0xFEFF, 0xE000, 0xFFFE, utf8.RuneError, 0xAD} {
		d := Describe(r)
		if strings.ContainsRune(d, r) || !strings.HasPrefix(d, "U+") {
			t.Errorf("Describe(%U) = %q", r, d)
		}
	}
}

// Escaped text holds nothing a terminal would act on and keeps the rest.
func TestEscapeLeavesNothingUnfit(t *testing.T) {
	in := "ok 验证码 \x1b[31mred\x1b[0m \u202egnp.exe \u2028line \u0085next \u200bzw \xff\xfe end\n"
	out := Escape(in)
	if _, _, found := FirstUnfit(out); found || !utf8.ValidString(out) {
		t.Fatalf("Escape left unfit characters: %q", out)
	}
	for _, want := range []string{`ok 验证码 `, `\x1b[31mred`, `\u202egnp.exe`, `\u2028line`, `\u0085next`, `\u200bzw`, `\xff\xfe`, `end\n`} {
		if !strings.Contains(out, want) {
			t.Errorf("Escape(%q) = %q; want %q in it", in, out, want)
		}
	}
	if s := "plain 中文 text"; Escape(s) != s {
		t.Errorf("fit text changed: %q", Escape(s))
	}
}
