package drill

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"smsflow/local/stack"
)

// outcome is a message's fate as the caller saw it.
type outcome int

const (
	pending  outcome = iota
	accepted         // 200
	unknown          // 504 outcome_unknown: never retried
	refused          // refused for good, or still refused when the drill ended
)

// message is one keyed request of the generator, retried with its key as
// a careful caller does: 409 (in flight), 429 and 5xx other than 504 are
// retried, since the key makes a retry safe; 504 says the message may
// have gone and is never retried.
type message struct {
	key, phone string
	first      time.Time // first try
	outcome    outcome
	status     int       // last HTTP status
	trace      string    // trace id of the last answer
	provider   string    // who sent it, from a 200's body
	answered   time.Time // when the final answer came
}

// traffic sends up to max messages at rate per second until stopped, each
// to a number of its own, so the emulator's record of that number is the
// message's fate.
type traffic struct {
	url     string
	prefix  string // phone prefix: 139 + two digits per scenario
	rate    float64
	max     int
	backoff time.Duration
	client  *http.Client

	mu   sync.Mutex
	msgs []*message
	wg   sync.WaitGroup
	stop chan struct{}
	// giveUp ends the retries of messages still refused.
	giveUp   chan struct{}
	giveOnce sync.Once
}

func newTraffic(s *stack.Stack, scenario int, rate float64, max int) *traffic {
	return &traffic{url: s.GatewayURL + "/v1/messages", prefix: fmt.Sprintf("139%02d", scenario%100),
		rate: rate, max: max, backoff: 300 * time.Millisecond,
		client: &http.Client{Timeout: 30 * time.Second},
		stop:   make(chan struct{}), giveUp: make(chan struct{})}
}

// start generates messages until max or stopGenerating.
func (t *traffic) start() {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		tick := time.NewTicker(time.Duration(float64(time.Second) / t.rate))
		defer tick.Stop()
		for i := 0; i < t.max; i++ {
			m := &message{key: fmt.Sprintf("drill-%s-%06d", t.prefix, i), phone: fmt.Sprintf("%s%06d", t.prefix, i), first: time.Now()}
			t.mu.Lock()
			t.msgs = append(t.msgs, m)
			t.mu.Unlock()
			t.wg.Add(1)
			go func() { defer t.wg.Done(); t.deliver(m) }()
			select {
			case <-t.stop:
				return
			case <-tick.C:
			}
		}
	}()
}

// stopGenerating stops new messages; finish waits for the retries, which
// end at the latest when the drain time runs out.
func (t *traffic) stopGenerating() { close(t.stop) }

func (t *traffic) finish(drain time.Duration) {
	done := make(chan struct{})
	go func() { t.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(drain):
		t.giveOnce.Do(func() { close(t.giveUp) })
		<-done
	}
}

func (t *traffic) deliver(m *message) {
	body, _ := json.Marshal(map[string]any{"phone_numbers": []string{m.phone}, "sign_name": "smsflow",
		"template_code": "SMS_LOCAL_NOTICE", "template_params": map[string]string{"name": "drill", "status": "ok"}})
	for {
		status, trace, provider := t.post(m.key, body)
		t.mu.Lock()
		m.status, m.trace, m.provider = status, trace, provider
		switch {
		case status == http.StatusOK:
			m.outcome = accepted
		case status == http.StatusGatewayTimeout:
			m.outcome = unknown
		case status == 0 || status == http.StatusConflict || status == http.StatusTooManyRequests ||
			(status >= 500 && status != http.StatusGatewayTimeout):
			// retried below with the same key
		default:
			m.outcome = refused
		}
		if m.outcome != pending {
			m.answered = time.Now()
			t.mu.Unlock()
			return
		}
		t.mu.Unlock()
		select {
		case <-t.giveUp:
			t.mu.Lock()
			m.outcome, m.answered = refused, time.Now()
			t.mu.Unlock()
			return
		case <-time.After(t.backoff):
		}
	}
}

// post sends one try and answers the status (0: a transport error), the
// trace id and the provider a 200 names.
func (t *traffic) post(key string, body []byte) (int, string, string) {
	req, _ := http.NewRequest(http.MethodPost, t.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+stack.LocalToken)
	req.Header.Set("Idempotency-Key", key)
	resp, err := t.client.Do(req)
	if err != nil {
		return 0, "", ""
	}
	defer resp.Body.Close()
	var answer struct {
		Provider string `json:"provider"`
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = json.Unmarshal(raw, &answer)
	return resp.StatusCode, resp.Header.Get("X-Trace-Id"), answer.Provider
}

// firstAcceptedAfter answers when the first message first tried at or
// after t was accepted, by provider unless it is "" (zero if none was).
func (t *traffic) firstAcceptedAfter(at time.Time, provider string) time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	var best time.Time
	for _, m := range t.msgs {
		if m.outcome == accepted && !m.first.Before(at) && (provider == "" || m.provider == provider) &&
			(best.IsZero() || m.answered.Before(best)) {
			best = m.answered
		}
	}
	return best
}

// snapshot copies the messages.
func (t *traffic) snapshot() []message {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]message, len(t.msgs))
	for i, m := range t.msgs {
		out[i] = *m
	}
	return out
}

// unanswered answers the numbers of the messages still waiting for their
// first answer.
func (t *traffic) unanswered() map[string]bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[string]bool{}
	for _, m := range t.msgs {
		if m.outcome == pending && m.status == 0 {
			out[m.phone] = true
		}
	}
	return out
}
