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

type keptKey struct{}

// Keep returns ctx carrying a copy of its FC context, read once, so that
// every later Read (the credentials for each SDK call, the invocation's
// fields for events) finds it without the lock and without FromContext's
// fresh logger on every call. Outside FC, ctx is returned unchanged.
func Keep(ctx context.Context) context.Context {
	if _, ok := ctx.Value(keptKey{}).(*fccontext.FcContext); ok {
		return ctx
	}
	fc, ok := Read(ctx)
	if !ok {
		return ctx
	}
	return context.WithValue(ctx, keptKey{}, &fc)
}

// Read returns a copy of ctx's FC context, and false outside FC (where
// FromContext would find nothing).
func Read(ctx context.Context) (fccontext.FcContext, bool) {
	if fc, ok := ctx.Value(keptKey{}).(*fccontext.FcContext); ok {
		return *fc, true
	}
	mu.Lock()
	defer mu.Unlock()
	fc, ok := fccontext.FromContext(ctx)
	if !ok || fc == nil {
		return fccontext.FcContext{}, false
	}
	return *fc, true
}
