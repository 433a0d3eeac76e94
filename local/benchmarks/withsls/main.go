// Command withsls is the floor plus the SLS SDK, unused: the four SDKs the
// design card names. send writes to SLS with shared/slsput and does not
// link the SDK; `make bench` prints what linking it would add at start-up
// (docs/architecture.md, "Writing to SLS without the SDK").
package main

import (
	"context"

	_ "github.com/alibabacloud-go/dysmsapi-20170525/v3/client"
	_ "github.com/aliyun/aliyun-log-go-sdk"
	_ "github.com/aliyun/credentials-go/credentials"
	"github.com/aliyun/fc-runtime-go-sdk/fc"
)

func main() {
	fc.Start(func(context.Context) (string, error) { return "hello", nil })
}
