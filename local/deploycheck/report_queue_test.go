package deploycheck

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// alicomQueuePrefix starts the name of Alibaba's SMS report queues
// (Alicom-Queue-<uid>-SmsReport). They live in Alibaba's Alicom account and
// are read by pulling with a dybaseapi token: a trigger or a queue resource
// of ours under that name would watch an empty queue of our own while every
// receipt is lost (docs/receipts.md, "Why no MNS report queue").
const alicomQueuePrefix = "alicom-queue-"

// checkNoAlicomQueue finds any queue name in either descriptor (trigger
// sources, queue resources, parameters, vars) that names an Alicom queue.
func checkNoAlicomQueue(d descriptors) []string {
	var out []string
	for name, f := range d.S {
		findAlicom("s.yaml "+name, f.Props, func(v any) any { return v }, &out)
	}
	for id, r := range d.ROS.Resources {
		findAlicom("template.yaml "+id, r, d.ROS.eval, &out)
	}
	for id, p := range d.ROS.Parameters {
		findAlicom("template.yaml parameter "+id, p, d.ROS.eval, &out)
	}
	sort.Strings(out)
	return out
}

func findAlicom(at string, v any, eval func(any) any, out *[]string) {
	switch x := eval(v).(type) {
	case string:
		if strings.HasPrefix(strings.ToLower(x), alicomQueuePrefix) {
			*out = append(*out, fmt.Sprintf("%s: %q is Alibaba's SmsReport queue (in Alibaba's account, pull-only): receipts come by HTTP push", at, x))
		}
	case map[string]any:
		for k, e := range x {
			findAlicom(at+"."+k, e, eval, out)
		}
	case []any:
		for i, e := range x {
			findAlicom(fmt.Sprintf("%s[%d]", at, i), e, eval, out)
		}
	}
}

// conformance: RC-08
func TestNothingReadsAlibabasReportQueue(t *testing.T) {
	report(t, checkNoAlicomQueue(loadDescriptors(t)))
}

// conformance: RC-08
func TestCatchesATriggerOnAlibabasReportQueue(t *testing.T) {
	d := mutated(t, "s.yaml", "QueueName: ${vars.prefix}-send", "QueueName: Alicom-Queue-1234-SmsReport")
	mustReport(t, checkNoAlicomQueue(d), "s.yaml dispatch")
	d = mutated(t, "template.yaml", "QueueName: {Fn::Sub: '${NamePrefix}-send'}", "QueueName: Alicom-Queue-1234-SmsReport")
	mustReport(t, checkNoAlicomQueue(d), "Alibaba's SmsReport queue")
}
