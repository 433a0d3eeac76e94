package testkit

import (
	"context"
	"time"
)

// HungAfter is how long past its deadline a call may run before a test
// takes it as hung: far above any scheduling delay, far below the
// one-minute client timeouts such tests set so that waiting them out shows.
const HungAfter = 20 * time.Second

// CallWithDeadline runs call with a context that ends after d and answers
// whether call returned within HungAfter, and what it returned. A call
// that did not keeps running on its own goroutine.
func CallWithDeadline(d time.Duration, call func(context.Context) error) (ended bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- call(ctx) }()
	select {
	case err := <-done:
		return true, err
	case <-time.After(HungAfter):
		return false, nil
	}
}
