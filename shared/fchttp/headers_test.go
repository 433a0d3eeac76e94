package fchttp

import (
	"context"
	"slices"
	"testing"

	"github.com/aliyun/fc-runtime-go-sdk/events"
)

// Two header names that differ only in case are one header in HTTP: the
// handler sees both values, always in the same order, as it would under
// net/http (where the API refuses two Idempotency-Keys rather than pick).
func TestHeaderNamesDifferingInCaseKeepEveryValue(t *testing.T) {
	body, path, method := `{}`, "/v1/messages", "POST"
	headers := map[string]string{"Idempotency-Key": "key-a", "idempotency-key": "key-b", "IDEMPOTENCY-KEY": "key-c"}
	ev := events.HTTPTriggerEvent{Body: &body, RawPath: &path, Headers: &headers}
	ev.TriggerContext.Http.Method = &method
	var first []string
	for i := 0; i < 20; i++ { // map order changes from one range to the next
		r, err := Request(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		got := r.Header.Values("Idempotency-Key")
		if len(got) != 3 {
			t.Fatalf("the handler saw %v, want all three values", got)
		}
		if first == nil {
			first = got
		} else if !slices.Equal(got, first) {
			t.Fatalf("order changed between builds of one event: %v then %v", first, got)
		}
	}
}
