package sls

import (
	"fmt"
	"strings"
	"unicode"
)

type sqlTokenKind int

const (
	tkSpace sqlTokenKind = iota
	tkIdent
	tkQuotedIdent
	tkNumber
	tkString
	tkPunct
)

type sqlToken struct {
	kind  sqlTokenKind
	text  string // as written (for tkQuotedIdent: the name without quotes)
	pos   int    // 0-based rune offset in the SQL text
	depth int    // parenthesis depth the token sits at
}

func (t sqlToken) is(word string) bool {
	return t.kind == tkIdent && strings.EqualFold(t.text, word)
}

var multiCharOps = []string{"<=", ">=", "<>", "!=", "||"}

// tokenizeSQL splits the SQL part of a query, keeping every character so the
// statement can be reassembled after rewriting.
func tokenizeSQL(q string) ([]sqlToken, error) {
	rs := []rune(q)
	var out []sqlToken
	depth := 0
	for i := 0; i < len(rs); {
		c := rs[i]
		start := i
		switch {
		case unicode.IsSpace(c):
			for i < len(rs) && unicode.IsSpace(rs[i]) {
				i++
			}
			out = append(out, sqlToken{kind: tkSpace, text: " ", pos: start, depth: depth})
		case c == '-' && i+1 < len(rs) && rs[i+1] == '-':
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
			out = append(out, sqlToken{kind: tkSpace, text: " ", pos: start, depth: depth})
		case c == '\'':
			i++
			for ; i < len(rs); i++ {
				if rs[i] == '\'' {
					if i+1 < len(rs) && rs[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
			if i >= len(rs) {
				return nil, fmt.Errorf("unterminated string literal at %d", start+1)
			}
			i++
			out = append(out, sqlToken{kind: tkString, text: string(rs[start:i]), pos: start, depth: depth})
		case c == '"' || c == '`':
			var b strings.Builder
			i++
			for ; i < len(rs); i++ {
				if rs[i] == c {
					if i+1 < len(rs) && rs[i+1] == c {
						b.WriteRune(c)
						i++
						continue
					}
					break
				}
				b.WriteRune(rs[i])
			}
			if i >= len(rs) {
				return nil, fmt.Errorf("unterminated quoted identifier at %d", start+1)
			}
			i++
			out = append(out, sqlToken{kind: tkQuotedIdent, text: b.String(), pos: start, depth: depth})
		case unicode.IsDigit(c) || (c == '.' && i+1 < len(rs) && unicode.IsDigit(rs[i+1])):
			for i < len(rs) && (unicode.IsDigit(rs[i]) || rs[i] == '.' ||
				((rs[i] == 'e' || rs[i] == 'E') && i+1 < len(rs) && (unicode.IsDigit(rs[i+1]) || rs[i+1] == '-' || rs[i+1] == '+'))) {
				if rs[i] == 'e' || rs[i] == 'E' {
					i++
				}
				i++
			}
			out = append(out, sqlToken{kind: tkNumber, text: string(rs[start:i]), pos: start, depth: depth})
		case unicode.IsLetter(c) || c == '_':
			for i < len(rs) && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i]) || rs[i] == '_') {
				i++
			}
			out = append(out, sqlToken{kind: tkIdent, text: string(rs[start:i]), pos: start, depth: depth})
		default:
			text := string(c)
			for _, op := range multiCharOps {
				if strings.HasPrefix(string(rs[i:min(i+2, len(rs))]), op) {
					text = op
				}
			}
			i += len([]rune(text))
			if text == ")" {
				depth--
				if depth < 0 {
					return nil, fmt.Errorf("mismatched input ')' at %d", start+1)
				}
			}
			out = append(out, sqlToken{kind: tkPunct, text: text, pos: start, depth: depth})
			if text == "(" {
				depth++
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("missing ')' at %d", len(rs)+1)
	}
	return out, nil
}

// nextSolid answers the index of the first non-space token after i, or -1.
func nextSolid(toks []sqlToken, i int) int {
	for j := i + 1; j < len(toks); j++ {
		if toks[j].kind != tkSpace {
			return j
		}
	}
	return -1
}
