package api

import "regexp"

// templateCodePattern is the documented form of template_code (README), the
// oracle the fuzz test holds accepted requests to; sms.ValidTemplateCode is
// held to the same pattern in shared/sms.
var templateCodePattern = regexp.MustCompile(`^SMS_[A-Za-z0-9_]{1,60}$`)
