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

// A kept context reads as the invocation's, whoever reads it, and Keep
// outside FC changes nothing.
func TestKeep(t *testing.T) {
	inv := &fccontext.FcContext{RequestID: "r-2", Region: "cn-hangzhou",
		Credentials: fccontext.Credentials{AccessKeyId: "STS.id", AccessKeySecret: "s", SecurityToken: "t"}}
	kept := Keep(fccontext.NewContext(context.Background(), inv))
	fc, ok := Read(kept)
	if !ok || fc.RequestID != "r-2" || fc.Region != "cn-hangzhou" || fc.Credentials != inv.Credentials {
		t.Fatalf("Read(Keep(ctx)) = %+v, %v", fc, ok)
	}
	if Keep(kept) != kept {
		t.Error("Keep of a kept context made another")
	}
	bg := context.Background()
	if Keep(bg) != bg {
		t.Error("Keep outside FC changed the context")
	}
	if _, ok := Read(Keep(bg)); ok {
		t.Error("Keep outside FC made an FC context")
	}
}
