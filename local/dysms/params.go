package dysms

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Variable length rules: verification-code variables are 4-6 characters;
// other variables at most 35 (Alibaba's limit for notification variables).
const (
	verificationMinLen = 4
	verificationMaxLen = 6
	notificationMaxLen = 35
)

// checkTemplateParams parses TemplateParam and applies Alibaba's rules in
// Alibaba's order: JSON with string values only, every template variable
// present, lengths, no URLs. Extra keys are ignored, as Alibaba does.
func checkTemplateParams(t Template, raw string) (map[string]string, *refusal) {
	params := map[string]string{}
	if strings.TrimSpace(raw) != "" {
		var decoded map[string]any
		dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
		dec.UseNumber()
		if err := dec.Decode(&decoded); err != nil {
			return nil, refuse(codeInvalidJSONParam)
		}
		for k, v := range decoded {
			s, ok := v.(string)
			if !ok {
				return nil, refuse(codeInvalidJSONParam)
			}
			params[k] = s
		}
	}
	for _, name := range t.Variables {
		if _, ok := params[name]; !ok {
			return nil, refuse(codeTemplateMissing)
		}
	}
	for _, name := range t.Variables {
		v := params[name]
		n := utf8.RuneCountInString(v)
		switch {
		case t.Kind == KindVerification && (n < verificationMinLen || n > verificationMaxLen):
			return nil, refuse(codeParamLengthLimit)
		case n == 0 || n > notificationMaxLen:
			return nil, refuse(codeParamLengthLimit)
		case looksLikeURL(v):
			return nil, refuse(codeParamNotSupportURL)
		}
	}
	return params, nil
}

func looksLikeURL(v string) bool {
	l := strings.ToLower(v)
	return strings.Contains(l, "http://") || strings.Contains(l, "https://") || strings.Contains(l, "www.")
}
