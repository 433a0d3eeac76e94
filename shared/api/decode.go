package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"smsflow/shared/phone"
	"smsflow/shared/scrub"
	"smsflow/shared/sms"
	"smsflow/shared/text"
)

// Limits of a message request. Alibaba's own: 1000 numbers a SendSms call,
// OutId under 256 characters.
const (
	MaxNumbers     = 1000
	MaxOutIDLen    = 255
	MaxSignNameLen = 64
	MaxParams      = 50
	MaxParamLen    = 512
)

// wireRequest is the JSON body of POST /v1/messages.
type wireRequest struct {
	PhoneNumbers   []string          `json:"phone_numbers"`
	SignName       *string           `json:"sign_name"`
	TemplateCode   *string           `json:"template_code"`
	TemplateParams map[string]string `json:"template_params"`
	OutID          *string           `json:"out_id"`
}

// DecodeRequest reads and validates a message request. Every refusal names
// the field (and for numbers, the position) without echoing the value.
func DecodeRequest(r *http.Request, maxBytes int64) (sms.Request, *Error) {
	if len(r.Header.Values("Content-Type")) > 1 {
		return sms.Request{}, newError(http.StatusUnsupportedMediaType, CodeUnsupportedMedia, "", "send one Content-Type header, not several")
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return sms.Request{}, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return sms.Request{}, newError(http.StatusRequestEntityTooLarge, CodeBodyTooLarge, "",
				fmt.Sprintf("request body is over the %d byte limit", maxBytes))
		}
		return sms.Request{}, newError(http.StatusBadRequest, CodeMalformedJSON, "", "request body could not be read")
	}
	return ParseRequest(body)
}

func checkContentType(ct string) *Error {
	if ct == "" {
		return newError(http.StatusUnsupportedMediaType, CodeUnsupportedMedia, "", "Content-Type must be application/json")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return newError(http.StatusUnsupportedMediaType, CodeUnsupportedMedia, "", "Content-Type must be application/json")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return newError(http.StatusUnsupportedMediaType, CodeUnsupportedMedia, "", "the only charset accepted is utf-8")
	}
	return nil
}

// ParseRequest validates a JSON message request body: the same rules for the
// HTTP API and for event-triggered messages.
func ParseRequest(body []byte) (sms.Request, *Error) {
	var w wireRequest
	if err := decodeStrict(body, &w); err != nil {
		return sms.Request{}, err
	}
	return w.validate()
}

func decodeStrict(body []byte, v any) *Error {
	if !utf8.Valid(body) {
		return newError(http.StatusBadRequest, CodeMalformedJSON, "", "request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return newError(http.StatusBadRequest, CodeMalformedJSON, "", "request body has data after the JSON object")
	}
	keys := scanKeys(body)
	if err := exactFieldNames(keys.top, v); err != nil {
		return err
	}
	return keys.refusal()
}

// exactFieldNames refuses keys that differ from a field name only in case:
// encoding/json matches names case-insensitively, and "Phone_Numbers"
// silently standing in for "phone_numbers" is not a contract we want.
func exactFieldNames(keys []string, v any) *Error {
	known := jsonNames(reflect.TypeOf(v).Elem())
	for _, k := range keys {
		if !known[k] {
			k = safeName(k)
			return newError(http.StatusBadRequest, CodeUnknownField, k, fmt.Sprintf("unknown field %q (names are case-sensitive)", k))
		}
	}
	return nil
}

// fieldNames caches jsonNames per struct type: reading the tags on every
// request was a tenth of decoding one.
var fieldNames sync.Map // reflect.Type → map[string]bool

// jsonNames is the set of JSON names of struct type t's fields.
func jsonNames(t reflect.Type) map[string]bool {
	if names, ok := fieldNames.Load(t); ok {
		return names.(map[string]bool)
	}
	names := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		names[name] = true
	}
	fieldNames.Store(t, names)
	return names
}

func jsonError(err error) *Error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return newError(http.StatusBadRequest, CodeMalformedJSON, "", "request body must be a JSON object")
		}
		return newError(http.StatusBadRequest, CodeInvalidField, typeErr.Field, fieldTypeMessage(typeErr.Field))
	case errors.As(err, &syntaxErr):
		return newError(http.StatusBadRequest, CodeMalformedJSON, "", fmt.Sprintf("malformed JSON at byte %d", syntaxErr.Offset))
	case errors.Is(err, io.EOF):
		return newError(http.StatusBadRequest, CodeMalformedJSON, "", "request body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return newError(http.StatusBadRequest, CodeMalformedJSON, "", "request body ends in the middle of the JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := safeName(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`))
		return newError(http.StatusBadRequest, CodeUnknownField, name, fmt.Sprintf("unknown field %q", name))
	default:
		return newError(http.StatusBadRequest, CodeMalformedJSON, "", "malformed JSON")
	}
}

func fieldTypeMessage(field string) string {
	switch field {
	case "phone_numbers":
		return "phone_numbers must be an array of strings"
	case "template_params":
		return "template_params must be an object whose values are all strings"
	default:
		return field + " must be a string"
	}
}

func (w wireRequest) validate() (sms.Request, *Error) {
	bad := func(code, field, msg string) (sms.Request, *Error) {
		return sms.Request{}, newError(http.StatusBadRequest, code, field, msg)
	}
	switch {
	case w.PhoneNumbers == nil:
		return bad(CodeMissingField, "phone_numbers", "phone_numbers is required")
	case len(w.PhoneNumbers) == 0:
		return bad(CodeInvalidField, "phone_numbers", "phone_numbers needs at least one number")
	case len(w.PhoneNumbers) > MaxNumbers:
		return bad(CodeInvalidField, "phone_numbers", fmt.Sprintf("phone_numbers has %d numbers; at most %d", len(w.PhoneNumbers), MaxNumbers))
	case w.SignName == nil:
		return bad(CodeMissingField, "sign_name", "sign_name is required")
	case strings.TrimSpace(*w.SignName) == "" || utf8.RuneCountInString(*w.SignName) > MaxSignNameLen:
		return bad(CodeInvalidField, "sign_name", fmt.Sprintf("sign_name must be 1 to %d printable characters", MaxSignNameLen))
	case unprintable("sign_name", *w.SignName) != nil:
		return sms.Request{}, unprintable("sign_name", *w.SignName)
	case w.TemplateCode == nil:
		return bad(CodeMissingField, "template_code", "template_code is required")
	case !sms.ValidTemplateCode(*w.TemplateCode):
		return bad(CodeInvalidField, "template_code", "template_code must be SMS_ followed by letters, digits or _, like SMS_LOCAL_OTP")
	case w.OutID != nil && utf8.RuneCountInString(*w.OutID) > MaxOutIDLen:
		return bad(CodeInvalidField, "out_id", fmt.Sprintf("out_id must be at most %d printable characters", MaxOutIDLen))
	case w.OutID != nil && unprintable("out_id", *w.OutID) != nil:
		return sms.Request{}, unprintable("out_id", *w.OutID)
	case len(w.TemplateParams) > MaxParams:
		return bad(CodeInvalidField, "template_params", fmt.Sprintf("template_params has more than %d entries", MaxParams))
	}
	for name, value := range w.TemplateParams {
		field := "template_params." + safeName(name)
		if !sms.ValidParamName(name) {
			return bad(CodeInvalidField, "template_params", "template parameter names must be letters, digits and _ (at most 64)")
		}
		if value == "" || utf8.RuneCountInString(value) > MaxParamLen {
			return bad(CodeInvalidField, field, fmt.Sprintf("%s must be 1 to %d printable characters", field, MaxParamLen))
		}
		if err := unprintable(field, value); err != nil {
			return sms.Request{}, err
		}
	}
	numbers := make([]phone.Number, len(w.PhoneNumbers))
	seen := make(map[string]int, len(w.PhoneNumbers))
	for i, raw := range w.PhoneNumbers {
		field := fmt.Sprintf("phone_numbers[%d]", i)
		n, err := phone.Normalize(raw)
		if err != nil {
			return sms.Request{}, newError(http.StatusBadRequest, CodeInvalidPhone, field, field+": "+err.Error())
		}
		if j, dup := seen[n.Upstream()]; dup {
			return sms.Request{}, newError(http.StatusBadRequest, CodeDuplicatePhone, field,
				fmt.Sprintf("%s is the same number as phone_numbers[%d]: it would be sent twice", field, j))
		}
		seen[n.Upstream()] = i
		numbers[i] = n
	}
	req := sms.Request{Numbers: numbers, SignName: *w.SignName, TemplateCode: *w.TemplateCode, TemplateParams: w.TemplateParams}
	if w.OutID != nil {
		req.OutID = *w.OutID
	}
	return req, nil
}

// unprintable refuses text with a character that is not fit to read
// (shared/text: controls, C1, separators, bidi and zero-width characters,
// private use, noncharacters): it would reach the SMS, SLS and terminals.
// The error names the field, the code point and where it is, never the
// value.
func unprintable(field, s string) *Error {
	r, pos, found := text.FirstUnfit(s)
	if !found {
		return nil
	}
	return newError(http.StatusBadRequest, CodeUnprintable, field,
		fmt.Sprintf("%s holds %s at character %d: only printable text is accepted", field, text.Describe(r), pos+1))
}

// safeName is a caller-chosen name fit to echo or log: a field name is not
// a secret, but a "name" that is really a phone number, whatever its
// grouping, must not be repeated (scrub.Name, which sees the whole name
// before it is cut).
func safeName(name string) string {
	name = scrub.Name(name)
	if len(name) > 64 {
		cut := 64
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut] + "…"
	}
	return name
}
