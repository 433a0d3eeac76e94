// Package provision makes an SLS logstore ready for smsflow: the index the
// events need (provision.Index, the single source of truth) and the operations
// dashboard (shared/dashboard). Each step reads what is there first and
// writes only when it differs, so running it again changes nothing. The
// index is added to, never narrowed (MergeIndex); the dashboard is
// smsflow's own and is put back as a whole.
//
// The project and logstore themselves come from template.yaml (ROS) or from
// the functions' logConfig: provisioning refuses to guess them.
package provision

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"

	sls "github.com/aliyun/aliyun-log-go-sdk"

	"smsflow/shared/dashboard"
)

// Change says what a step did.
type Change string

const (
	Created   Change = "created"
	Updated   Change = "updated"
	Unchanged Change = "unchanged"
)

// Report is what one run did.
type Report struct {
	Index Change
	// IndexChanged says what an update added or fixed; IndexKept what the
	// index holds that is not smsflow's, left as it was (MergeIndex).
	IndexChanged, IndexKept []string
	Dashboard               Change
}

// Run ensures the index and the dashboard of project/logstore.
func Run(c sls.ClientInterface, project, logstore string) (Report, error) {
	var r Report
	var err error
	if r.Index, r.IndexChanged, r.IndexKept, err = EnsureIndex(c, project, logstore, Index()); err != nil {
		return r, err
	}
	if r.Dashboard, err = EnsureDashboard(c, project, dashboard.SLS(logstore)); err != nil {
		return r, err
	}
	return r, nil
}

// EnsureIndex creates the index, or adds to the existing one what want
// has and it lacks (MergeIndex: never removing a key, never narrowing a
// setting). It answers what it did, what it changed and what it kept that
// is not smsflow's. SLS applies an index change to new data only.
func EnsureIndex(c sls.ClientInterface, project, logstore string, want sls.Index) (done Change, changed, kept []string, err error) {
	got, err := c.GetIndex(project, logstore)
	if isCode(err, "IndexConfigNotExist") {
		if err := c.CreateIndex(project, logstore, want); err != nil {
			return "", nil, nil, fmt.Errorf("create index of %s/%s: %w", project, logstore, err)
		}
		return Created, nil, nil, nil
	}
	if err != nil {
		return "", nil, nil, fmt.Errorf("get index of %s/%s: %w", project, logstore, err)
	}
	plan := MergeIndex(*got, want)
	if len(plan.Changed) == 0 {
		return Unchanged, nil, plan.Kept, nil
	}
	// UpdateIndex replaces the whole index: plan.Index is what is there
	// with ours laid over it.
	if err := c.UpdateIndex(project, logstore, plan.Index); err != nil {
		return "", nil, nil, fmt.Errorf("update index of %s/%s: %w", project, logstore, err)
	}
	return Updated, plan.Changed, plan.Kept, nil
}

// EnsureDashboard creates the dashboard, or replaces it when it differs.
func EnsureDashboard(c sls.ClientInterface, project string, want sls.Dashboard) (Change, error) {
	got, err := c.GetDashboard(project, want.DashboardName)
	if isCode(err, "DashboardNotExist") {
		if err := c.CreateDashboard(project, want); err != nil {
			return "", fmt.Errorf("create dashboard %s: %w", want.DashboardName, err)
		}
		return Created, nil
	}
	if err != nil {
		return "", fmt.Errorf("get dashboard %s: %w", want.DashboardName, err)
	}
	if SameDashboard(*got, want) {
		return Unchanged, nil
	}
	if err := c.UpdateDashboard(project, want); err != nil {
		return "", fmt.Errorf("update dashboard %s: %w", want.DashboardName, err)
	}
	return Updated, nil
}

// SameIndex compares what smsflow sets: per key the type, analytics and
// tokens (as a set), and the full-text line. Fields SLS adds on its own
// (ttl, index_mode, max_text_len...) are not ours to compare.
func SameIndex(got, want sls.Index) bool {
	if len(got.Keys) != len(want.Keys) {
		return false
	}
	for name, w := range want.Keys {
		g, ok := got.Keys[name]
		if !ok || g.Type != w.Type || g.DocValue != w.DocValue || g.CaseSensitive != w.CaseSensitive ||
			g.Chn != w.Chn || g.Alias != w.Alias || !sameSet(g.Token, w.Token) {
			return false
		}
	}
	if (got.Line == nil) != (want.Line == nil) {
		return false
	}
	if want.Line == nil {
		return true
	}
	return sameSet(got.Line.Token, want.Line.Token) && got.Line.CaseSensitive == want.Line.CaseSensitive &&
		got.Line.Chn == want.Line.Chn && sameSet(got.Line.IncludeKeys, want.Line.IncludeKeys) &&
		sameSet(got.Line.ExcludeKeys, want.Line.ExcludeKeys)
}

// SameDashboard compares the dashboard as smsflow writes it, ignoring the
// attributes SLS maintains (update time, version).
func SameDashboard(got, want sls.Dashboard) bool {
	got.Attribute, want.Attribute = nil, nil
	return jsonEqual(got, want)
}

func jsonEqual(a, b any) bool {
	var x, y any
	ab, _ := json.Marshal(a)
	bb, _ := json.Marshal(b)
	_ = json.Unmarshal(ab, &x)
	_ = json.Unmarshal(bb, &y)
	return reflect.DeepEqual(x, y)
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func isCode(err error, code string) bool {
	var e *sls.Error
	return errors.As(err, &e) && e.Code == code
}
