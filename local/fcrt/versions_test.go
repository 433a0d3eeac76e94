package fcrt

import (
	"context"
	"errors"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/tea"

	"smsflow/local/sts"
	"smsflow/shared/creds"
	"smsflow/shared/release"
)

type staticCreds creds.Triple

func (s staticCreds) Get(context.Context) (creds.Triple, error) { return creds.Triple(s), nil }

// versionedFixture is a function with two published versions that differ
// in one variable (FCFUNC_TAG), an alias prod on version 1, and the
// control API served to the official client.
func versionedFixture(t *testing.T) (*Versioned, *release.Client) {
	t.Helper()
	fn := testFunction(t)
	fn.Env["FCFUNC_TAG"] = "one"
	v := NewVersioned(fn, func(f Function) *Pool { return NewPool(f, 2, IdleTimeout(-1)) })
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = v.Stop(ctx)
	})
	if _, err := v.Publish("first"); err != nil {
		t.Fatal(err)
	}
	env := v.Latest().Env
	env["FCFUNC_TAG"] = "two"
	v.UpdateEnv(env)
	if _, err := v.Publish("second"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.CreateAlias(Alias{Name: "prod", VersionID: "1"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewControlAPI(quietLogger, v))
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")
	return v, &release.Client{Endpoint: addr, Protocol: "HTTP",
		Creds: staticCreds{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: sts.LocalAccessKeySecret}}
}

type echoed struct {
	FC struct {
		Service struct {
			Qualifier string `json:"qualifier"`
			VersionID string `json:"versionId"`
		} `json:"service"`
	} `json:"fc"`
	Env map[string]string `json:"env"`
}

// conformance: FC-13
func TestVersionIsFrozenAndInvocationsCarryQualifierAndVersion(t *testing.T) {
	v, _ := versionedFixture(t)
	got := decode[echoed](t, invoke(t, v.Qualified("prod"), `{"op":"echo"}`).Payload)
	if got.FC.Service.Qualifier != "prod" || got.FC.Service.VersionID != "1" || got.Env["FCFUNC_TAG"] != "one" {
		t.Fatalf("alias prod -> qualifier %q version %q tag %q, want prod/1/one", got.FC.Service.Qualifier, got.FC.Service.VersionID, got.Env["FCFUNC_TAG"])
	}
	got = decode[echoed](t, invoke(t, v.Qualified("2"), `{"op":"echo"}`).Payload)
	if got.FC.Service.Qualifier != "2" || got.FC.Service.VersionID != "2" || got.Env["FCFUNC_TAG"] != "two" {
		t.Fatalf("qualifier 2 -> %+v", got)
	}
	// Changing LATEST afterwards leaves the published versions as they were.
	v.UpdateEnv(map[string]string{"FCFUNC_STATE": t.TempDir(), "FCFUNC_TAG": "three"})
	got = decode[echoed](t, invoke(t, v.Qualified("2"), `{"op":"echo"}`).Payload)
	if got.Env["FCFUNC_TAG"] != "two" {
		t.Fatalf("version 2 changed with LATEST: tag %q", got.Env["FCFUNC_TAG"])
	}
	if _, err := v.Qualified("9").Invoke(context.Background(), []byte(`{}`), InvokeOptions{}); !errors.Is(err, ErrVersionNotFound) {
		t.Fatalf("unknown version: %v", err)
	}
}

// conformance: FC-14
func TestAliasSplitsTrafficByWeight(t *testing.T) {
	v, _ := versionedFixture(t)
	const n = 4000
	count := func(w float64) int {
		if _, err := v.UpdateAlias("prod", AliasUpdate{Weights: map[string]float64{"2": w}}); err != nil {
			t.Fatal(err)
		}
		hits := 0
		for range n {
			p, err := v.route("prod")
			if err != nil {
				t.Fatal(err)
			}
			if p == v.Pools()["2"] {
				hits++
			}
		}
		return hits
	}
	for _, w := range []float64{0, 0.05, 0.25, 1} {
		hits := count(w)
		// Binomial: 5 standard deviations, so the test fails on a wrong
		// split, not on chance.
		sd := math.Sqrt(n * w * (1 - w))
		if math.Abs(float64(hits)-n*w) > 5*sd+1 {
			t.Errorf("weight %v: %d of %d went to version 2", w, hits, n)
		}
	}
}

// conformance: FC-15
func TestControlAPIThroughTheOfficialClient(t *testing.T) {
	v, c := versionedFixture(t)
	ctx := context.Background()
	a, err := c.GetAlias(ctx, "fcfunc", "prod")
	if err != nil || a.VersionID != "1" || len(a.Weights) != 0 || a.Name != "prod" {
		t.Fatalf("GetAlias = %+v, %v", a, err)
	}
	a, err = c.UpdateAlias(ctx, "fcfunc", "prod", "1", map[string]float64{"2": 0.25}, "canary")
	if err != nil || a.Weights["2"] != 0.25 {
		t.Fatalf("UpdateAlias = %+v, %v", a, err)
	}
	if _, err := a.ModifiedAt(); err != nil {
		t.Fatal(err)
	}
	// {} clears the weight.
	a, err = c.UpdateAlias(ctx, "fcfunc", "prod", "2", map[string]float64{}, "promoted")
	if err != nil || a.VersionID != "2" || len(a.Weights) != 0 {
		t.Fatalf("promote = %+v, %v", a, err)
	}
	if got, _ := v.GetAlias("prod"); got.VersionID != "2" || len(got.Weights) != 0 {
		t.Fatalf("emulator alias = %+v", got)
	}
	ver, err := c.PublishVersion(ctx, "fcfunc", "third")
	if err != nil || ver.ID != "3" {
		t.Fatalf("PublishVersion = %+v, %v", ver, err)
	}
	list, err := c.ListVersions(ctx, "fcfunc", 2)
	if err != nil || len(list) != 2 || list[0].ID != "3" || list[1].ID != "2" {
		t.Fatalf("ListVersions = %+v, %v", list, err)
	}
}

// conformance: FC-16
func TestControlAPIRefusesWhatFCRefuses(t *testing.T) {
	_, c := versionedFixture(t)
	ctx := context.Background()
	code := func(err error) string {
		var se *tea.SDKError
		if !errors.As(err, &se) {
			t.Fatalf("want an SDK error, got %v", err)
		}
		return tea.StringValue(se.Code)
	}
	if _, err := c.GetAlias(ctx, "fcfunc", "nope"); code(err) != "AliasNotFound" {
		t.Errorf("unknown alias: %v", err)
	}
	if _, err := c.GetAlias(ctx, "other", "prod"); code(err) != "FunctionNotFound" {
		t.Errorf("unknown function: %v", err)
	}
	if _, err := c.UpdateAlias(ctx, "fcfunc", "prod", "7", nil, ""); code(err) != "VersionNotFound" {
		t.Errorf("unknown version: %v", err)
	}
	if _, err := c.UpdateAlias(ctx, "fcfunc", "prod", "1", map[string]float64{"2": 1.5}, ""); code(err) != "InvalidArgument" {
		t.Errorf("weight 1.5: %v", err)
	}
	if _, err := c.UpdateAlias(ctx, "fcfunc", "prod", "1", map[string]float64{"1": 0.5}, ""); code(err) != "InvalidArgument" {
		t.Errorf("own version as canary: %v", err)
	}
	bad := *c
	bad.Creds = staticCreds{AccessKeyID: sts.LocalAccessKeyID, AccessKeySecret: "wrong"}
	if _, err := bad.GetAlias(ctx, "fcfunc", "prod"); code(err) != "SignatureNotMatch" {
		t.Errorf("bad signature: %v", err)
	}
}

// conformance: FC-17
func TestUpdateAliasWithoutWeightKeepsIt(t *testing.T) {
	v, _ := versionedFixture(t)
	if _, err := v.UpdateAlias("prod", AliasUpdate{Weights: map[string]float64{"2": 0.05}}); err != nil {
		t.Fatal(err)
	}
	desc := "note"
	a, err := v.UpdateAlias("prod", AliasUpdate{Description: &desc})
	if err != nil || a.Weights["2"] != 0.05 {
		t.Fatalf("weight after an update without one = %+v, %v", a, err)
	}
}
