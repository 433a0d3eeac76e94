package deploycheck

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The MNS queues the descriptors use: an EventBridge MNS source reads a
// queue and a dead-letter target writes one, but neither creates it, and
// fc3 creates none either. So template.yaml creates every queue both files
// use, unconditionally (the DeployFunctions=false stack that `s deploy`
// stands on makes them too), under one naming rule: <prefix>-<purpose>,
// ${vars.prefix}-... in s.yaml and ${NamePrefix}-... in template.yaml.

var (
	// mnsQueueName: up to 256 letters, digits and hyphens, starting with a
	// letter or digit (ROS ALIYUN::MNS::Queue, QueueName).
	mnsQueueName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,255}$`)
	sQueueRule   = regexp.MustCompile(`^\$\{vars\.prefix\}-([a-z0-9-]+)$`)
	rosQueueRule = regexp.MustCompile(`^\$\{NamePrefix\}-([a-z0-9-]+)$`)
	sQueueArn    = regexp.MustCompile(`^acs:mns:\$\{vars\.region\}:\$\{vars\.accountID\}:/queues/(.+)$`)
	rosQueueArn  = regexp.MustCompile(`^acs:mns:\$\{ALIYUN::Region\}:\$\{ALIYUN::AccountId\}:/queues/(.+)$`)
)

// queueUse is one place a descriptor names a queue.
type queueUse struct {
	At   string // for messages
	Name string // as written, before ${vars.x} or parameter defaults
}

// eventBridgeTriggers lists each descriptor's EventBridge trigger configs.
func eventBridgeTriggers(d descriptors) (s, ros map[string]map[string]any) {
	s, ros = map[string]map[string]any{}, map[string]map[string]any{}
	for name, f := range d.S {
		triggers, _ := f.Raw["triggers"].([]any)
		for _, tr := range triggers {
			if str(get(tr, "triggerType")) == "eventbridge" {
				s["s.yaml "+name+" trigger "+str(get(tr, "triggerName"))] = asMap(get(tr, "triggerConfig"))
			}
		}
	}
	for id, r := range d.ROS.ofType("ALIYUN::FC3::Trigger") {
		if get(r, "Properties", "TriggerType") == "eventbridge" {
			ros["template.yaml "+id] = asMap(get(r, "Properties", "TriggerConfig"))
		}
	}
	return s, ros
}

// checkQueues: every queue a trigger reads or dead-letters to is one
// template.yaml creates for the foundation stack too, named by the rule in
// both files, and named in docs/operations.md.
// conformance: MNS-02, DEP-03
func checkQueues(d descriptors, opsDoc string) []string {
	var out []string
	created := map[string]string{} // purpose -> resource id
	for id, r := range d.ROS.ofType("ALIYUN::MNS::Queue") {
		at := "template.yaml " + id
		if r["Condition"] != nil {
			out = append(out, at+": conditional, but `s deploy` needs it from the DeployFunctions=false stack")
		}
		sub := str(get(r, "Properties", "QueueName", "Fn::Sub"))
		m := rosQueueRule.FindStringSubmatch(sub)
		if m == nil {
			out = append(out, fmt.Sprintf("%s: QueueName must be {Fn::Sub: '${NamePrefix}-<purpose>'}, got %v", at, get(r, "Properties", "QueueName")))
			continue
		}
		if name := str(d.ROS.eval(get(r, "Properties", "QueueName"))); !mnsQueueName.MatchString(name) {
			out = append(out, fmt.Sprintf("%s: %q is not an MNS queue name", at, name))
		}
		created[m[1]] = id
		if !strings.Contains(opsDoc, "queue `<prefix>-"+m[1]+"`") {
			out = append(out, fmt.Sprintf("docs/operations.md does not name the queue `<prefix>-%s` (%s)", m[1], id))
		}
	}
	sTr, rosTr := eventBridgeTriggers(d)
	var uses []queueUse
	for at, cfg := range sTr {
		if q, ok := mnsSource(cfg); ok {
			uses = append(uses, sUse(at+" QueueName", q, sQueueRule, &out))
		}
		if arn, ok := dlqArn(cfg); ok {
			if m := sQueueArn.FindStringSubmatch(arn); m == nil {
				out = append(out, fmt.Sprintf("%s deadLetterQueue: Arn %q is not acs:mns:${vars.region}:${vars.accountID}:/queues/<queue>", at, arn))
			} else {
				uses = append(uses, sUse(at+" deadLetterQueue", m[1], sQueueRule, &out))
			}
		}
	}
	for at, cfg := range rosTr {
		if str(get(cfg, "eventSourceConfig", "eventSourceType")) == "MNS" {
			q := get(cfg, "eventSourceConfig", "eventSourceParameters", "sourceMNSParameters", "QueueName")
			att, _ := get(q, "Fn::GetAtt").([]any)
			if len(att) != 2 || att[1] != "QueueName" || d.ROS.Resources[str(att[0])]["Type"] != "ALIYUN::MNS::Queue" {
				out = append(out, fmt.Sprintf("%s QueueName: must be {Fn::GetAtt: [<an ALIYUN::MNS::Queue>, QueueName]}, got %v", at, q))
			} else {
				uses = append(uses, queueUse{At: at + " QueueName", Name: str(get(d.ROS.Resources[str(att[0])], "Properties", "QueueName", "Fn::Sub"))})
			}
		}
		if sub, ok := get(cfg, "runOptions", "deadLetterQueue", "Arn", "Fn::Sub").(string); ok {
			if m := rosQueueArn.FindStringSubmatch(sub); m == nil {
				out = append(out, fmt.Sprintf("%s deadLetterQueue: Arn %q is not acs:mns:${ALIYUN::Region}:${ALIYUN::AccountId}:/queues/<queue>", at, sub))
			} else {
				uses = append(uses, queueUse{At: at + " deadLetterQueue", Name: m[1]})
			}
		} else if get(cfg, "runOptions", "deadLetterQueue") != nil {
			out = append(out, at+" deadLetterQueue: Arn must be an Fn::Sub of the queue's ARN")
		}
	}
	for _, u := range uses {
		m := sQueueRule.FindStringSubmatch(u.Name)
		if m == nil {
			m = rosQueueRule.FindStringSubmatch(u.Name)
		}
		switch {
		case m == nil:
			if !strings.HasPrefix(u.At, "s.yaml") { // s.yaml's were reported by sUse
				out = append(out, fmt.Sprintf("%s: %q does not follow ${NamePrefix}-<purpose>", u.At, u.Name))
			}
		case created[m[1]] == "":
			out = append(out, fmt.Sprintf("%s: queue <prefix>-%s is not created by template.yaml (add an ALIYUN::MNS::Queue)", u.At, m[1]))
		}
	}
	sort.Strings(out)
	return out
}

func sUse(at, name string, rule *regexp.Regexp, out *[]string) queueUse {
	if !rule.MatchString(name) {
		*out = append(*out, fmt.Sprintf("%s: %q does not follow ${vars.prefix}-<purpose> (template.yaml names queues ${NamePrefix}-<purpose>)", at, name))
	}
	return queueUse{At: at, Name: name}
}

func mnsSource(cfg map[string]any) (string, bool) {
	if str(get(cfg, "eventSourceConfig", "eventSourceType")) != "MNS" {
		return "", false
	}
	return str(get(cfg, "eventSourceConfig", "eventSourceParameters", "sourceMNSParameters", "QueueName")), true
}

func dlqArn(cfg map[string]any) (string, bool) {
	if get(cfg, "runOptions", "deadLetterQueue") == nil {
		return "", false
	}
	return str(get(cfg, "runOptions", "deadLetterQueue", "Arn")), true
}

// EventBridge's documented ranges (retry and dead-letter docs; FC's
// advanced trigger features): backoff retries at most 3 times, 10-20 s
// apart; exponential decay at most 176 times within one day; batches of
// 1-10000 messages, windows of 0-15 s, in event-streaming mode only (FC
// RunOptions: event-driven passes one message and takes no batch window).
var retryLimits = map[string]float64{"BACKOFF_RETRY": 3, "EXPONENTIAL_DECAY_RETRY": 176}

// checkRetries: every EventBridge trigger's retry and batch settings are
// within the ranges, and an MNS trigger has a dead-letter queue (without
// one, a message EventBridge gives up on is dropped: an SMS never sent,
// and nobody told).
// conformance: MNS-01, MNS-03, MNS-04, MNS-05
func checkRetries(d descriptors) []string {
	var out []string
	sTr, rosTr := eventBridgeTriggers(d)
	all := map[string]map[string]any{}
	for k, v := range sTr {
		all[k] = v
	}
	for k, v := range rosTr {
		all[k] = v
	}
	for at, cfg := range all {
		rs := asMap(get(cfg, "runOptions", "retryStrategy"))
		strategy := str(rs["PushRetryStrategy"])
		if strategy == "" {
			strategy = "BACKOFF_RETRY" // EventBridge's default
		}
		limit, known := retryLimits[strategy]
		if !known {
			out = append(out, fmt.Sprintf("%s: PushRetryStrategy %q is not BACKOFF_RETRY or EXPONENTIAL_DECAY_RETRY", at, strategy))
		}
		if n, ok := number(rs["MaximumRetryAttempts"]); rs["MaximumRetryAttempts"] != nil && (!ok || n < 0 || n > limit) && known {
			out = append(out, fmt.Sprintf("%s: MaximumRetryAttempts %v is outside 0..%v for %s", at, rs["MaximumRetryAttempts"], limit, strategy))
		}
		if n, ok := number(rs["MaximumEventAgeInSeconds"]); rs["MaximumEventAgeInSeconds"] != nil && (!ok || n < 1 || n > 86400) {
			out = append(out, fmt.Sprintf("%s: MaximumEventAgeInSeconds %v is outside 1..86400", at, rs["MaximumEventAgeInSeconds"]))
		}
		bw := asMap(get(cfg, "runOptions", "batchWindow"))
		if n, ok := number(bw["CountBasedWindow"]); bw["CountBasedWindow"] != nil && (!ok || n < 1 || n > 10000) {
			out = append(out, fmt.Sprintf("%s: CountBasedWindow %v is outside 1..10000", at, bw["CountBasedWindow"]))
		}
		if n, ok := number(bw["TimeBasedWindow"]); bw["TimeBasedWindow"] != nil && (!ok || n < 0 || n > 15) {
			out = append(out, fmt.Sprintf("%s: TimeBasedWindow %v is outside 0..15 s", at, bw["TimeBasedWindow"]))
		}
		switch mode := str(get(cfg, "runOptions", "mode")); {
		case mode != "event-streaming" && mode != "event-driven":
			out = append(out, fmt.Sprintf("%s: runOptions.mode %q is not event-streaming or event-driven", at, mode))
		case mode == "event-driven" && len(bw) > 0:
			out = append(out, at+": runOptions.mode event-driven passes one message at a time and takes no batchWindow: use event-streaming")
		}
		if str(get(cfg, "eventSourceConfig", "eventSourceType")) == "MNS" && get(cfg, "runOptions", "deadLetterQueue") == nil {
			out = append(out, at+": an MNS trigger without deadLetterQueue drops what EventBridge gives up on")
		}
	}
	sort.Strings(out)
	return out
}

func operationsDoc(t testing.TB) string {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// conformance: DEP-03, MNS-02
func TestEveryQueueIsCreatedAndNamedByOneRule(t *testing.T) {
	report(t, checkQueues(loadDescriptors(t), operationsDoc(t)))
}

// conformance: MNS-01, MNS-03, MNS-05
func TestRetrySettingsAreWithinEventBridgesRanges(t *testing.T) {
	report(t, checkRetries(loadDescriptors(t)))
}

// conformance: DEP-03, MNS-02
func TestCatchesAQueueNobodyCreates(t *testing.T) {
	doc := operationsDoc(t)
	d := mutated(t, "s.yaml", "QueueName: ${vars.prefix}-send", "QueueName: ${vars.prefix}-outbox")
	mustReport(t, checkQueues(d, doc), "queue <prefix>-outbox is not created by template.yaml")
	d = mutated(t, "s.yaml", "QueueName: ${vars.prefix}-send", "QueueName: smsflow-send")
	mustReport(t, checkQueues(d, doc), `"smsflow-send" does not follow ${vars.prefix}-<purpose>`)
	d = mutated(t, "s.yaml", "/queues/${vars.prefix}-dead-letter", "/queues/${vars.prefix}-dlq")
	mustReport(t, checkQueues(d, doc), "deadLetterQueue: queue <prefix>-dlq is not created")
	d = mutated(t, "template.yaml", "/queues/${NamePrefix}-dead-letter", "/queues/${NamePrefix}-dlq")
	mustReport(t, checkQueues(d, doc), "template.yaml DispatchQueueTrigger deadLetterQueue: queue <prefix>-dlq is not created")
	d = mutated(t, "template.yaml", "QueueName: {Fn::GetAtt: [SendQueue, QueueName]}", "QueueName: smsflow-send")
	mustReport(t, checkQueues(d, doc), "must be {Fn::GetAtt: [<an ALIYUN::MNS::Queue>, QueueName]}")
	d = mutated(t, "template.yaml", "  SendQueue:\n    Type: ALIYUN::MNS::Queue\n", "  SendQueue:\n    Type: ALIYUN::MNS::Queue\n    Condition: Functions\n")
	mustReport(t, checkQueues(d, doc), "template.yaml SendQueue: conditional")
	mustReport(t, checkQueues(loadDescriptors(t), strings.ReplaceAll(doc, "queue `<prefix>-send`", "queue")), "docs/operations.md does not name the queue `<prefix>-send`")
}

// conformance: MNS-01, MNS-03, MNS-04, MNS-05
func TestCatchesRetriesOutsideEventBridgesRanges(t *testing.T) {
	d := mutated(t, "s.yaml", "MaximumRetryAttempts: 3", "MaximumRetryAttempts: 5")
	mustReport(t, checkRetries(d), "MaximumRetryAttempts 5 is outside 0..3 for BACKOFF_RETRY")
	d = mutated(t, "template.yaml", "MaximumRetryAttempts: 3}", "MaximumRetryAttempts: 4}")
	mustReport(t, checkRetries(d), "template.yaml DispatchQueueTrigger: MaximumRetryAttempts 4")
	d = mutated(t, "s.yaml", "PushRetryStrategy: BACKOFF_RETRY\n                MaximumEventAgeInSeconds: 86400\n                MaximumRetryAttempts: 3",
		"PushRetryStrategy: EXPONENTIAL_DECAY_RETRY\n                MaximumEventAgeInSeconds: 86400\n                MaximumRetryAttempts: 100")
	if p := checkRetries(d); len(p) != 0 {
		t.Errorf("100 exponential-decay retries are within range: %v", p)
	}
	d = mutated(t, "s.yaml", "MaximumEventAgeInSeconds: 86400", "MaximumEventAgeInSeconds: 172800")
	mustReport(t, checkRetries(d), "MaximumEventAgeInSeconds 172800 is outside 1..86400")
	d = mutated(t, "s.yaml", "PushRetryStrategy: BACKOFF_RETRY", "PushRetryStrategy: FOREVER")
	mustReport(t, checkRetries(d), `PushRetryStrategy "FOREVER"`)
	d = mutated(t, "template.yaml", "TimeBasedWindow: 2}", "TimeBasedWindow: 60}")
	mustReport(t, checkRetries(d), "TimeBasedWindow 60 is outside 0..15 s")
	d = mutated(t, "s.yaml", "mode: event-streaming", "mode: event-driven")
	mustReport(t, checkRetries(d), "event-driven passes one message at a time and takes no batchWindow")
	d = mutated(t, "template.yaml", "mode: event-streaming", "mode: streaming")
	mustReport(t, checkRetries(d), `runOptions.mode "streaming"`)
	d = mutated(t, "s.yaml", "              deadLetterQueue:\n                Arn: acs:mns:${vars.region}:${vars.accountID}:/queues/${vars.prefix}-dead-letter\n", "")
	mustReport(t, checkRetries(d), "an MNS trigger without deadLetterQueue")
}
