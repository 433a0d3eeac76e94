package fcrt

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"time"
)

// RetryPolicy is how EventBridge retries a push the function failed.
type RetryPolicy struct {
	MaxRetries int           // retries after the first attempt
	MinBackoff time.Duration // each wait is uniformly random in [MinBackoff, MaxBackoff]
	MaxBackoff time.Duration
}

// BackoffRetry is EventBridge's default policy (BACKOFF_RETRY): at most 3
// retries, each after a random 10–20 s.
var BackoffRetry = RetryPolicy{MaxRetries: 3, MinBackoff: 10 * time.Second, MaxBackoff: 20 * time.Second}

// LocalBackoffRetry is BackoffRetry shrunk a thousandfold for local runs
// and tests: 3 retries after 10–20 ms.
var LocalBackoffRetry = RetryPolicy{MaxRetries: 3, MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}

func (p RetryPolicy) backoff() time.Duration {
	if p.MaxBackoff <= p.MinBackoff {
		return p.MinBackoff
	}
	return p.MinBackoff + mrand.N(p.MaxBackoff-p.MinBackoff)
}

// MNSMessage is one message read from an MNS queue.
type MNSMessage struct {
	MessageID string // default: random hex, like MNS's ids
	Body      string
}

// MNSQueueSource pushes MNS queue messages to a function through
// EventBridge, as an FC 3.0 "eventbridge" trigger with an MNS source does:
// one invocation per batch, the payload a JSON array of CloudEvents.
type MNSQueueSource struct {
	Target      Invoker
	TriggerName string // default "mns-trigger"
	Function    string // for the event source name; default "function"
	Queue       string // default "smsflow-local"
	Region      string // default DefaultRegion
	AccountID   string // default DefaultAccountID
	Retry       RetryPolicy
}

// ErrDeliveryFailed: every attempt of a push failed; EventBridge then
// drops the batch (or sends it to a dead-letter queue, not emulated).
var ErrDeliveryFailed = errors.New("fcrt: eventbridge push failed after all retries")

// Deliver pushes one batch and retries on failure per s.Retry. It returns
// the last attempt's result and the number of attempts; the error wraps
// ErrDeliveryFailed when no attempt succeeded, or is ctx's error.
func (s MNSQueueSource) Deliver(ctx context.Context, batch []MNSMessage) (Result, int, error) {
	payload, err := json.Marshal(s.cloudEvents(batch, time.Now()))
	if err != nil {
		return Result{}, 0, fmt.Errorf("fcrt: encode cloud events: %w", err)
	}
	var last Result
	var lastErr error
	for attempt := 0; attempt <= s.Retry.MaxRetries; attempt++ {
		if attempt > 0 {
			select {
			case <-time.After(s.Retry.backoff()):
			case <-ctx.Done():
				return last, attempt, ctx.Err()
			}
		}
		// EventBridge invokes synchronously each time; FC's retry counter
		// belongs to asynchronous invocations and stays 0.
		last, lastErr = s.Target.Invoke(ctx, payload, InvokeOptions{})
		if ctx.Err() != nil {
			return last, attempt + 1, ctx.Err()
		}
		if lastErr == nil && !last.Failed() {
			return last, attempt + 1, nil
		}
	}
	if lastErr == nil {
		lastErr = last.Error
	}
	return last, s.Retry.MaxRetries + 1, fmt.Errorf("%w: %w", ErrDeliveryFailed, lastErr)
}

// cloudEvent is one MNS message as EventBridge hands it to FC.
type cloudEvent struct {
	ID                      string         `json:"id"`
	Source                  string         `json:"source"`
	SpecVersion             string         `json:"specversion"`
	Type                    string         `json:"type"`
	DataContentType         string         `json:"datacontenttype"`
	Subject                 string         `json:"subject"`
	Time                    string         `json:"time"`
	AliyunAccountID         string         `json:"aliyunaccountid"`
	AliyunPublishTime       string         `json:"aliyunpublishtime"`
	AliyunOriginalAccountID string         `json:"aliyunoriginalaccountid"`
	AliyunEventBusName      string         `json:"aliyuneventbusname"`
	AliyunRegionID          string         `json:"aliyunregionid"`
	AliyunPublishAddr       string         `json:"aliyunpublishaddr"`
	Data                    mnsMessageData `json:"data"`
}

type mnsMessageData struct {
	RequestID   string `json:"requestId"`
	MessageID   string `json:"messageId"`
	MessageBody string `json:"messageBody"`
}

func (s MNSQueueSource) cloudEvents(batch []MNSMessage, now time.Time) []cloudEvent {
	trigger, function, queue := orDefault(s.TriggerName, "mns-trigger"), orDefault(s.Function, "function"), orDefault(s.Queue, "smsflow-local")
	region, account := orDefault(s.Region, DefaultRegion), orDefault(s.AccountID, DefaultAccountID)
	bus := "MNS-" + function + "-" + trigger
	stamp := now.UTC().Format("2006-01-02T15:04:05.000Z")
	out := make([]cloudEvent, 0, len(batch))
	for _, m := range batch {
		id := m.MessageID
		if id == "" {
			id = strings.ToUpper(randomHex(16))
		}
		out = append(out, cloudEvent{
			ID:                      randomHex(16),
			Source:                  bus,
			SpecVersion:             "1.0",
			Type:                    "mns:Queue:SendMessage",
			DataContentType:         "application/json; charset=utf-8",
			Subject:                 "acs:mns:" + region + ":" + account + ":queues/" + queue,
			Time:                    stamp,
			AliyunAccountID:         account,
			AliyunPublishTime:       stamp,
			AliyunOriginalAccountID: account,
			AliyunEventBusName:      bus,
			AliyunRegionID:          region,
			AliyunPublishAddr:       "127.0.0.1",
			Data:                    mnsMessageData{RequestID: strings.ToUpper(randomHex(12)), MessageID: id, MessageBody: m.Body},
		})
	}
	return out
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
