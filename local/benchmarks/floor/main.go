// Command floor is the hello-world go1 function plus the SDKs the send
// function links (Dysmsapi, credentials-go, the fc SDK), initialised and
// unused: what send pays at start-up before a line of smsflow runs. `make
// bench` prints send's start-up against it and against hello-world, so the
// part the SDKs fix and the part our code adds read apart.
package main

import (
	"context"

	_ "github.com/alibabacloud-go/dysmsapi-20170525/v3/client"
	_ "github.com/aliyun/credentials-go/credentials"
	"github.com/aliyun/fc-runtime-go-sdk/fc"
)

func main() {
	fc.Start(func(context.Context) (string, error) { return "hello", nil })
}
