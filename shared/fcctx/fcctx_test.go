package fcctx

import (
	"context"
	"sync"
	"testing"

	"github.com/aliyun/fc-runtime-go-sdk/fccontext"
)

// Goroutines of one invocation read its context at once; `make test` runs
// this package under the race detector, which reports the SDK's write
// inside FromContext unless Read serialises it.
func TestConcurrentReadsOfOneInvocation(t *testing.T) {
	ctx := fccontext.NewContext(context.Background(), &fccontext.FcContext{RequestID: "r-1"})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if fc, ok := Read(ctx); !ok || fc.RequestID != "r-1" {
				t.Errorf("Read = %q, %v", fc.RequestID, ok)
			}
		}()
	}
	wg.Wait()
}

func TestOutsideFC(t *testing.T) {
	if _, ok := Read(context.Background()); ok {
		t.Fatal("Read found an FC context in context.Background()")
	}
}
