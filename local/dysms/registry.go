package dysms

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// TemplateKind is Alibaba's template type; it decides the flow-control
// rules and the length rule for variables.
type TemplateKind string

const (
	KindVerification TemplateKind = "verification"
	KindNotification TemplateKind = "notification"
)

// Signature is an approved SMS signature (签名).
type Signature struct {
	Name string `yaml:"name" json:"name"`
}

// Template is an approved SMS template.
type Template struct {
	Code      string       `yaml:"code" json:"code"`
	Kind      TemplateKind `yaml:"kind" json:"kind"`
	Content   string       `yaml:"content" json:"content"` // with ${var} placeholders
	Variables []string     `yaml:"variables" json:"variables"`
}

// Registry is what the emulated account has had approved.
type Registry struct {
	Signatures []Signature `yaml:"signatures" json:"signatures"`
	Templates  []Template  `yaml:"templates" json:"templates"`
}

// DefaultRegistry is the local contract's registry (docs/architecture.md).
func DefaultRegistry() Registry {
	return Registry{
		Signatures: []Signature{{Name: "smsflow"}},
		Templates: []Template{
			{Code: "SMS_LOCAL_OTP", Kind: KindVerification,
				Content: "您的验证码为${code}，5分钟内有效，请勿泄露。", Variables: []string{"code"}},
			{Code: "SMS_LOCAL_NOTICE", Kind: KindNotification,
				Content: "${name}您好，您的请求状态为${status}。", Variables: []string{"name", "status"}},
		},
	}
}

// LoadRegistry reads a YAML registry. The file replaces the defaults: list
// every signature and template the emulator should know.
func LoadRegistry(path string) (Registry, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Registry{}, fmt.Errorf("dysms: read registry: %w", err)
	}
	var r Registry
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		return Registry{}, fmt.Errorf("dysms: parse registry %s: %w", path, err)
	}
	if err := r.validate(); err != nil {
		return Registry{}, fmt.Errorf("dysms: registry %s: %w", path, err)
	}
	return r, nil
}

func (r Registry) validate() error {
	var problems []error
	seen := map[string]bool{}
	for _, s := range r.Signatures {
		if strings.TrimSpace(s.Name) == "" {
			problems = append(problems, errors.New("signature without a name"))
		}
	}
	for _, t := range r.Templates {
		switch {
		case t.Code == "":
			problems = append(problems, errors.New("template without a code"))
		case seen[t.Code]:
			problems = append(problems, fmt.Errorf("template %s listed twice", t.Code))
		case t.Kind != KindVerification && t.Kind != KindNotification:
			problems = append(problems, fmt.Errorf("template %s: kind %q is neither %q nor %q",
				t.Code, t.Kind, KindVerification, KindNotification))
		}
		seen[t.Code] = true
		for _, v := range t.Variables {
			if t.Content != "" && !strings.Contains(t.Content, "${"+v+"}") {
				problems = append(problems, fmt.Errorf("template %s: content lacks ${%s}", t.Code, v))
			}
		}
	}
	return errors.Join(problems...)
}

func (r Registry) signature(name string) bool {
	for _, s := range r.Signatures {
		if s.Name == name {
			return true
		}
	}
	return false
}

func (r Registry) template(code string) (Template, bool) {
	for _, t := range r.Templates {
		if t.Code == code {
			return t, true
		}
	}
	return Template{}, false
}

// render fills the template for QuerySendDetails' Content, the way the
// handset shows it: 【signature】text.
func (t Template) render(sign string, params map[string]string) string {
	text := t.Content
	if text == "" {
		keys := make([]string, 0, len(params))
		for k := range params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			text += "${" + k + "} "
		}
		text = strings.TrimSpace(text)
	}
	for k, v := range params {
		text = strings.ReplaceAll(text, "${"+k+"}", v)
	}
	return "【" + sign + "】" + text
}
