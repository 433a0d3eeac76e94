package sls

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// The search part of a query ("<search> | <sql>"): *, full-text terms,
// key: value, key: "phrase", key > n (and >=, <, <=, =), key in [a b],
// and/or/not (any case) with parentheses; adjacent terms mean "and".

type searchNode interface{ isSearchNode() }

type (
	matchAll  struct{}
	andNode   struct{ left, right searchNode }
	orNode    struct{ left, right searchNode }
	notNode   struct{ inner searchNode }
	fieldTerm struct {
		key, value string
		phrase     bool
	}
	fieldRange struct {
		key        string
		op         string // >, >=, <, <=, =
		value      float64
		lo, hi     float64 // for "in [lo hi]"
		isInterval bool
	}
	fullText struct {
		value  string
		phrase bool
	}
)

func (matchAll) isSearchNode()   {}
func (andNode) isSearchNode()    {}
func (orNode) isSearchNode()     {}
func (notNode) isSearchNode()    {}
func (fieldTerm) isSearchNode()  {}
func (fieldRange) isSearchNode() {}
func (fullText) isSearchNode()   {}

type searchToken struct {
	text   string
	quoted bool
	pos    int
}

const searchPunct = "():<>=[]"

func tokenizeSearch(q string) ([]searchToken, error) {
	var out []searchToken
	rs := []rune(q)
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '\\' && j+1 < len(rs) {
					j++
				}
				b.WriteRune(rs[j])
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("unterminated quote at %d", i+1)
			}
			out = append(out, searchToken{text: b.String(), quoted: true, pos: i})
			i = j + 1
		case (c == '>' || c == '<') && i+1 < len(rs) && rs[i+1] == '=':
			out = append(out, searchToken{text: string(rs[i : i+2]), pos: i})
			i += 2
		case strings.ContainsRune(searchPunct, c):
			out = append(out, searchToken{text: string(c), pos: i})
			i++
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && !strings.ContainsRune(searchPunct+`"`, rs[j]) {
				j++
			}
			out = append(out, searchToken{text: string(rs[i:j]), pos: i})
			i = j
		}
	}
	return out, nil
}

type searchParser struct {
	toks []searchToken
	i    int
}

func parseSearch(q string) (searchNode, error) {
	if strings.TrimSpace(q) == "" {
		return matchAll{}, nil
	}
	toks, err := tokenizeSearch(q)
	if err != nil {
		return nil, err
	}
	p := &searchParser{toks: toks}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q at %d", p.toks[p.i].text, p.toks[p.i].pos+1)
	}
	return n, nil
}

func (p *searchParser) peek() (searchToken, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return searchToken{}, false
}

func (p *searchParser) isKeyword(word string) bool {
	t, ok := p.peek()
	return ok && !t.quoted && strings.EqualFold(t.text, word)
}

func (p *searchParser) parseOr() (searchNode, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("or") {
		p.i++
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		left = orNode{left, right}
	}
	return left, nil
}

func (p *searchParser) parseAnd() (searchNode, error) {
	left, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	for {
		t, ok := p.peek()
		if !ok || (!t.quoted && t.text == ")") || p.isKeyword("or") {
			return left, nil
		}
		if p.isKeyword("and") {
			p.i++
		}
		right, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		left = andNode{left, right}
	}
}

func (p *searchParser) parseNot() (searchNode, error) {
	if p.isKeyword("not") {
		p.i++
		inner, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return notNode{inner}, nil
	}
	return p.parsePrimary()
}

func (p *searchParser) next() (searchToken, error) {
	t, ok := p.peek()
	if !ok {
		return t, fmt.Errorf("unexpected end of query")
	}
	p.i++
	return t, nil
}

func (p *searchParser) parsePrimary() (searchNode, error) {
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	if !t.quoted && t.text == "(" {
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if c, err := p.next(); err != nil || c.text != ")" {
			return nil, fmt.Errorf("missing ) for ( at %d", t.pos+1)
		}
		return n, nil
	}
	if !t.quoted && strings.ContainsRune(searchPunct, rune(t.text[0])) {
		return nil, fmt.Errorf("unexpected %q at %d", t.text, t.pos+1)
	}
	if !t.quoted && t.text == "*" {
		return matchAll{}, nil
	}
	if !t.quoted && strings.ContainsAny(t.text[:1], "*?") {
		return nil, fmt.Errorf("only support * or ? in the middle or end of the query")
	}
	op, ok := p.peek()
	if !ok || op.quoted {
		return fullText{value: t.text, phrase: t.quoted}, nil
	}
	switch {
	case op.text == ":":
		p.i++
		v, err := p.next()
		if err != nil {
			return nil, err
		}
		if !v.quoted && strings.ContainsRune(searchPunct, rune(v.text[0])) {
			return nil, fmt.Errorf("%s: expects a value, got %q at %d", t.text, v.text, v.pos+1)
		}
		if !v.quoted && v.text != "*" && strings.ContainsAny(v.text[:1], "*?") {
			return nil, fmt.Errorf("only support * or ? in the middle or end of the query")
		}
		return fieldTerm{key: t.text, value: v.text, phrase: v.quoted}, nil
	case op.text == ">" || op.text == ">=" || op.text == "<" || op.text == "<=" || op.text == "=":
		p.i++
		v, err := p.next()
		if err != nil {
			return nil, err
		}
		n, err := strconv.ParseFloat(v.text, 64)
		if err != nil {
			return nil, fmt.Errorf("%s %s needs a number, got %q", t.text, op.text, v.text)
		}
		return fieldRange{key: t.text, op: op.text, value: n}, nil
	case strings.EqualFold(op.text, "in"):
		p.i++
		return p.parseInterval(t.text)
	}
	return fullText{value: t.text, phrase: t.quoted}, nil
}

// parseInterval reads "[lo hi]" (SLS also allows "(lo hi]" etc.; only the
// closed form is supported here).
func (p *searchParser) parseInterval(key string) (searchNode, error) {
	var parts []string
	for _, want := range []string{"[", "", "", "]"} {
		t, err := p.next()
		if err != nil {
			return nil, err
		}
		if want != "" && t.text != want {
			return nil, fmt.Errorf("%s in [lo hi]: expected %q, got %q", key, want, t.text)
		}
		if want == "" {
			parts = append(parts, t.text)
		}
	}
	lo, err1 := strconv.ParseFloat(parts[0], 64)
	hi, err2 := strconv.ParseFloat(parts[1], 64)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("%s in [lo hi] needs numbers", key)
	}
	return fieldRange{key: key, lo: lo, hi: hi, isInterval: true}, nil
}
