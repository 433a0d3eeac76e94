package main
import (
 _ "github.com/aliyun/fc-runtime-go-sdk/fc"
 _ "github.com/alibabacloud-go/dysmsapi-20170525/v3/client"
 _ "github.com/aliyun/credentials-go/credentials"
 _ "github.com/aliyun/aliyun-log-go-sdk"
)
func main(){}
