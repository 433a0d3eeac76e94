package sls

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"smsflow/local/testkit"
)

type lockedBuffer = testkit.Buffer

func TestEmulatorNeverLogsLogContentsOrQueries(t *testing.T) {
	out := &lockedBuffer{}
	env := newTestEnv(t, Options{Logger: slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err := env.client.CreateIndex(testProject, testLogstore, testIndex()); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	secret := "13812345678"
	if err := env.client.PutLogs(testProject, testLogstore, groupOf(logOf(now, "message", secret))); err != nil {
		t.Fatal(err)
	}
	mustGetLogs(t, env.client, now.Unix(), now.Unix()+1, "message: "+secret)
	logged := out.String()
	if !strings.Contains(logged, "sls request") {
		t.Fatalf("expected request lines, got %q", logged)
	}
	if strings.Contains(logged, secret) {
		t.Fatalf("emulator log leaked log contents: %q", logged)
	}
}

// conformance: SLS-04
func TestRequestDateTooFarFromServerClock(t *testing.T) {
	env := newTestEnv(t, Options{Now: func() time.Time { return time.Now().Add(time.Hour) }})
	err := env.client.PutLogs(testProject, testLogstore, groupOf(logOf(time.Now(), "k", "v")))
	asSLSError(t, err, "RequestTimeExpired", 400)
}
