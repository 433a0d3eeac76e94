// Package fcctx reads the FC invocation context safely.
//
// fccontext.FromContext (fc-runtime-go-sdk v0.3.1) writes a fresh logger
// into the *FcContext it returns, so two goroutines of one invocation that
// read it at once race on that write. Every read in smsflow goes through
// Read, which serialises the call and hands back a copy.
package fcctx

import (
	"context"
	"sync"

	"github.com/aliyun/fc-runtime-go-sdk/fccontext"
)

var mu sync.Mutex

// Read returns a copy of ctx's FC context, and false outside FC (where
// FromContext would find nothing).
func Read(ctx context.Context) (fccontext.FcContext, bool) {
	mu.Lock()
	defer mu.Unlock()
	fc, ok := fccontext.FromContext(ctx)
	if !ok || fc == nil {
		return fccontext.FcContext{}, false
	}
	return *fc, true
}
