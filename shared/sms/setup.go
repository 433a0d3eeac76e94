package sms

import (
	"fmt"
	"log/slog"

	"smsflow/shared/config"
	"smsflow/shared/creds"
)

// NewFromConfig builds what a function sends through: Alibaba alone, or,
// when Tencent is configured, Alibaba with Tencent as its secondary behind
// the failover policy. The template map is loaded and validated here, at
// start: a broken map refuses the start instead of failing over badly.
//
// links keeps Tencent's SerialNo → SessionContext for the receipts
// function (shared/sessionlink); nil leaves receipts joined by biz_id.
func NewFromConfig(d config.Dysms, t config.Tencent, src *creds.Source, links SessionLinks, log *slog.Logger) (Provider, error) {
	alibaba := New(d, src)
	if !t.Enabled() {
		return alibaba, nil
	}
	templates, err := LoadTemplateMap(t.TemplateMap)
	if err != nil {
		return nil, err
	}
	tencent, err := NewTencent(t, templates)
	if err != nil {
		return nil, err
	}
	if links != nil {
		tencent.WithSessionLinks(links, log)
	}
	mapped := 0
	for _, e := range templates.Templates {
		if e.Tencent != nil {
			mapped++
		}
	}
	// Never the SecretId or SecretKey: only that they are set.
	log.Info(fmt.Sprintf("secondary provider tencent configured (region %s, %d of %d templates mapped); circuit opens after %d provider-side failures for %s, per instance",
		t.Region, mapped, len(templates.Templates), t.BreakerFailures, t.BreakerOpen))
	return NewFailover(alibaba, tencent, BreakerSettings{Failures: t.BreakerFailures, Open: t.BreakerOpen}, log), nil
}
