// Command hello is the smallest go1 function: the start-up figure of
// `make bench` is the send function's start-up as a ratio to this one's,
// built and started in the same run on the same machine.
package main

import (
	"context"

	"github.com/aliyun/fc-runtime-go-sdk/fc"
)

func main() {
	fc.Start(func(context.Context) (string, error) { return "hello", nil })
}
