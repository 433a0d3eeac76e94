// Command local is the local stack's launcher:
//
//	go run ./local run              start everything in the foreground (make run)
//	go run ./local trace <trace_id> print one message's timeline from SLS
//	go run ./local bench            print the benchmark figures (make bench)
//	go run ./local drill [-json] [scenario...]  run the failure drills (make drill)
//	go run ./local pack [-rules f] <zip> <dir>  zip a function's code package as FC deploys it
//	go run ./local publish [-env K=V ...]        publish send's code as a new version (a running stack)
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = run(os.Args[2:])
	case "pack":
		err = pack(os.Args[2:])
	case "trace":
		err = traceCmd(os.Args[2:])
	case "bench":
		err = bench(os.Args[2:])
	case "drill":
		err = drillCmd(os.Args[2:])
	case "publish":
		err = publish(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: go run ./local run | trace <trace_id> | bench | drill [-json] [scenario...] | pack [-rules FILE] <zip> <dir> | publish [-env K=V ...]")
	os.Exit(2)
}
