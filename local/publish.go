package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"

	"smsflow/local/stack"
	"smsflow/local/sts"
	"smsflow/shared/creds"
	"smsflow/shared/release"
)

// publish is the local stand-in for `s deploy` + `s version publish`: it
// publishes send's current code as a new version, with -env variables
// changed for that version only (LATEST gets its own back), through the
// FC control API of a running `go run ./local run`.
func publish(args []string) error {
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	endpoint := fs.String("fc-endpoint", fmt.Sprintf("http://127.0.0.1:%d", stack.DefaultFCPort), "the local FC control API")
	function := fs.String("function", "send", "function to publish")
	description := fs.String("description", "", "version description")
	var env envFlags
	fs.Var(&env, "env", "KEY=VALUE for this version only (repeatable), e.g. SMSFLOW_DYSMS_ENDPOINT=127.0.0.1:1 for a broken one")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	c := release.NewClient(*endpoint, localCreds{})
	if len(env) > 0 {
		latest, err := updateEnv(c, *function, nil)
		if err != nil {
			return err
		}
		changed := map[string]string{}
		for k, v := range latest {
			changed[k] = v
		}
		for k, v := range env {
			changed[k] = v
		}
		if _, err := updateEnv(c, *function, changed); err != nil {
			return err
		}
		defer func() {
			if _, err := updateEnv(c, *function, latest); err != nil {
				fmt.Fprintln(os.Stderr, "local: restoring LATEST's environment:", err)
			}
		}()
	}
	v, err := c.PublishVersion(ctx, *function, *description)
	if err != nil {
		return err
	}
	fmt.Printf("published %s version %s (%s)\n", *function, v.ID, *description)
	return nil
}

type localCreds struct{}

func (localCreds) Get(context.Context) (creds.Triple, error) {
	return creds.Triple{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret}, nil
}

type envFlags map[string]string

func (e *envFlags) String() string { return fmt.Sprint(map[string]string(*e)) }
func (e *envFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("-env %q is not KEY=VALUE", s)
	}
	if *e == nil {
		*e = envFlags{}
	}
	(*e)[k] = v
	return nil
}

// updateEnv is FC's UpdateFunction with environmentVariables (nil: no
// change); it answers the function's environment afterwards.
func updateEnv(c *release.Client, function string, env map[string]string) (map[string]string, error) {
	cl, err := openapi.NewClient(&openapi.Config{AccessKeyId: tea.String(sts.LocalAccessKeyID),
		AccessKeySecret: tea.String(sts.LocalAccessKeySecret), Endpoint: tea.String(c.Endpoint), Protocol: tea.String("HTTP")})
	if err != nil {
		return nil, err
	}
	body := map[string]any{}
	if env != nil {
		body["environmentVariables"] = env
	}
	params := &openapi.Params{Action: tea.String("UpdateFunction"), Version: tea.String("2023-03-30"),
		Protocol: tea.String("HTTP"), Pathname: tea.String("/2023-03-30/functions/" + function), Method: tea.String("PUT"),
		AuthType: tea.String("AK"), Style: tea.String("ROA"), ReqBodyType: tea.String("json"), BodyType: tea.String("json")}
	res, err := cl.CallApi(params, &openapi.OpenApiRequest{Body: body}, &util.RuntimeOptions{})
	if err != nil {
		return nil, fmt.Errorf("UpdateFunction: %w", err)
	}
	raw, _ := json.Marshal(res["body"])
	var out struct {
		Env map[string]string `json:"environmentVariables"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("UpdateFunction answer: %w", err)
	}
	return out.Env, nil
}
