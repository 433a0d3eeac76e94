package sms

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"gopkg.in/yaml.v3"
)

// TemplateMap turns one API request (Alibaba's template code and named
// parameters) into each provider's call. It is a file in the function's
// code package (docs/providers.md), read and validated at start: a
// function with a broken map refuses to start rather than fail over badly.
//
//	templates:
//	  SMS_LOCAL_OTP:              # the API's template_code = Alibaba's template
//	    alibaba: {sign: smsflow}  # the sign this template is approved with at Alibaba
//	    tencent: {template_id: "100001", sign: smsflow, params: [code]}
//
// A template without a tencent entry is never failed over.
type TemplateMap struct {
	Templates map[string]TemplateEntry `yaml:"templates"`
}

// TemplateEntry is one template at each provider.
type TemplateEntry struct {
	Alibaba AlibabaTemplate  `yaml:"alibaba"`
	Tencent *TencentTemplate `yaml:"tencent"`
}

// AlibabaTemplate says which sign the template is approved with at
// Alibaba: a refusal of that sign is the provider's (not approved there),
// a refusal of any other sign is the caller's mistake.
type AlibabaTemplate struct {
	Sign string `yaml:"sign"`
}

// TencentTemplate is the template at Tencent: its numeric id, the sign,
// and the order in which the named parameters become TemplateParamSet.
type TencentTemplate struct {
	TemplateID string   `yaml:"template_id"`
	Sign       string   `yaml:"sign"`
	Params     []string `yaml:"params"`
}

// The shapes below are checked by hand, not with regexps compiled at
// start: the send path keeps its cold start lean (the patterns live in
// templates_test.go as the oracle).

// isTencentTemplateID: 1 to 12 digits, no leading zero.
func isTencentTemplateID(s string) bool {
	return s != "" && len(s) <= 12 && s[0] != '0' && allOf(s, func(c byte) bool { return c >= '0' && c <= '9' })
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func allOf(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// LoadTemplateMap reads and validates the map. A relative path is read
// from the directory of the running binary (the code package).
func LoadTemplateMap(path string) (*TemplateMap, error) {
	if !filepath.IsAbs(path) {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("template map: locating the code package: %w", err)
		}
		path = filepath.Join(filepath.Dir(exe), path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("template map: %w", err)
	}
	m, err := ParseTemplateMap(raw)
	if err != nil {
		return nil, fmt.Errorf("template map %s: %w", filepath.Base(path), err)
	}
	return m, nil
}

// ParseTemplateMap decodes and validates a map; unknown keys are refused.
func ParseTemplateMap(raw []byte) (*TemplateMap, error) {
	var m TemplateMap
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Validate checks every entry; it names the template at fault.
func (m *TemplateMap) Validate() error {
	if len(m.Templates) == 0 {
		return errors.New("no templates")
	}
	var errs []error
	for _, code := range m.codes() {
		if err := m.Templates[code].validate(code); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", code, err))
		}
	}
	return errors.Join(errs...)
}

func (e TemplateEntry) validate(code string) error {
	if !ValidTemplateCode(code) {
		return errors.New("not an Alibaba template code (SMS_...)")
	}
	if e.Alibaba.Sign == "" {
		return errors.New("alibaba.sign is missing")
	}
	t := e.Tencent
	if t == nil {
		return nil
	}
	switch {
	case !isTencentTemplateID(t.TemplateID):
		return fmt.Errorf("tencent.template_id %q is not a numeric template id", t.TemplateID)
	case t.Sign == "":
		return errors.New("tencent.sign is missing")
	}
	for i, p := range t.Params {
		if !ValidParamName(p) {
			return fmt.Errorf("tencent.params[%d] %q is not a parameter name", i, p)
		}
		if slices.Contains(t.Params[:i], p) {
			return fmt.Errorf("tencent.params names %q twice", p)
		}
	}
	return nil
}

func (m *TemplateMap) codes() []string {
	out := make([]string, 0, len(m.Templates))
	for c := range m.Templates {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// ForTencent answers the Tencent template req can be sent with, or why it
// cannot: no entry, no Tencent mapping, a sign other than the one the
// template is approved with (the caller's choice, not ours to replace), or
// parameters other than the mapped ones (Tencent's are positional: a
// missing or extra name cannot be placed).
func (m *TemplateMap) ForTencent(req Request) (TencentTemplate, string) {
	if m == nil {
		return TencentTemplate{}, "no template map"
	}
	e, ok := m.Templates[req.TemplateCode]
	switch {
	case !ok:
		return TencentTemplate{}, "template not in the template map"
	case e.Tencent == nil:
		return TencentTemplate{}, "template has no tencent mapping"
	case req.SignName != e.Alibaba.Sign:
		return TencentTemplate{}, "sign_name is not the template's mapped sign"
	case len(req.TemplateParams) != len(e.Tencent.Params):
		return TencentTemplate{}, "template_params do not match the mapped parameters"
	}
	for _, p := range e.Tencent.Params {
		if _, ok := req.TemplateParams[p]; !ok {
			return TencentTemplate{}, "template_params do not match the mapped parameters"
		}
	}
	return *e.Tencent, ""
}

// Positional answers the parameter values in the template's order.
func (t TencentTemplate) Positional(params map[string]string) []string {
	out := make([]string, len(t.Params))
	for i, p := range t.Params {
		out[i] = params[p]
	}
	return out
}
