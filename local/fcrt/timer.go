package fcrt

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// TimerTrigger is an FC timer trigger firing at a fixed interval (FC's
// "@every" form; cron expressions are not emulated).
type TimerTrigger struct {
	Name    string        // triggerName in the event
	Every   time.Duration // interval between firings
	Payload string        // the trigger's configured payload string
	// OnResult, when set, receives every firing's outcome.
	OnResult func(Result, error)
}

// timerEvent is events.TimerEvent as FC sends it.
type timerEvent struct {
	TriggerTime string `json:"triggerTime"` // RFC 3339, UTC, seconds
	TriggerName string `json:"triggerName"`
	Payload     string `json:"payload"`
}

// Timer fires a timer trigger named triggerName at target every interval
// until ctx ends. See TimerTrigger.Run.
func Timer(ctx context.Context, target Invoker, every time.Duration, triggerName, payload string) error {
	return TimerTrigger{Name: triggerName, Every: every, Payload: payload}.Run(ctx, target)
}

// Run fires until ctx ends, then waits for the firings still running and
// returns nil. Timer triggers invoke asynchronously on FC, so firings do
// not wait for each other, and an invocation outlives the trigger's ctx
// (it runs to its answer or its timeout). FC retries a failed asynchronous
// invocation; locally the next firing comes anyway, so there is no retry.
func (tt TimerTrigger) Run(ctx context.Context, target Invoker) error {
	if tt.Every <= 0 {
		return fmt.Errorf("fcrt: timer %q: interval must be positive", tt.Name)
	}
	ticker := time.NewTicker(tt.Every)
	defer ticker.Stop()
	var running sync.WaitGroup
	defer running.Wait()
	for {
		select {
		case <-ctx.Done():
			return nil
		case at := <-ticker.C:
			payload, err := json.Marshal(timerEvent{
				TriggerTime: at.UTC().Format(time.RFC3339),
				TriggerName: tt.Name,
				Payload:     tt.Payload,
			})
			if err != nil {
				return fmt.Errorf("fcrt: timer %q: encode event: %w", tt.Name, err)
			}
			running.Add(1)
			go func() {
				defer running.Done()
				res, err := target.Invoke(context.WithoutCancel(ctx), payload, InvokeOptions{Async: true})
				if tt.OnResult != nil {
					tt.OnResult(res, err)
				}
			}()
		}
	}
}
