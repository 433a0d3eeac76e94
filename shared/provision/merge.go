package provision

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	sls "github.com/aliyun/aliyun-log-go-sdk"
)

// IndexPlan is what provisioning does to an existing index: the index to
// write, what in it changes, and what it keeps that smsflow does not need.
type IndexPlan struct {
	Index   sls.Index
	Changed []string // what is added or fixed, one line each; none = nothing to write
	Kept    []string // what is left as it is though it is not ours (keys, settings)
}

// MergeIndex lays what smsflow needs (want) over the index that exists
// (got). SLS's UpdateIndex replaces the whole index with what it is sent
// (PUT /logstores/{ls}/index: keys SLS is not sent are no longer indexed,
// settings not sent fall back to their defaults), so the merge happens
// here and the whole merged index is sent.
//
// smsflow owns, for each of its keys, the type, analytics (doc_value) and
// its search tokens, and the full-text line's tokens. It adds what is
// missing and fixes what is wrong in those, and only widens: tokens are
// added to the ones there, analytics is turned on, never off. It never
// removes a key or a token, and keeps every other setting as it is: keys
// it does not use, a key's alias, case sensitivity and Chinese parsing,
// the line's include/exclude keys, ttl, log_reduce, scan_index, and the
// larger max_text_len.
func MergeIndex(got, want sls.Index) IndexPlan {
	p := IndexPlan{Index: got}
	p.Index.Keys = make(map[string]sls.IndexKey, len(got.Keys)+len(want.Keys))
	for name, k := range got.Keys {
		p.Index.Keys[name] = k
	}
	for _, name := range sortedKeys(want.Keys) {
		w := want.Keys[name]
		g, ok := got.Keys[name]
		switch {
		case !ok:
			p.Index.Keys[name] = w
			p.Changed = append(p.Changed, "added key "+name)
		case g.Type != w.Type:
			// The type decides what SQL can do with the field: ours wins,
			// and with it our tokens (a long key has none).
			fixed := g
			fixed.Type, fixed.Token, fixed.DocValue, fixed.JsonKeys = w.Type, w.Token, g.DocValue || w.DocValue, nil
			p.Index.Keys[name] = fixed
			p.Changed = append(p.Changed, fmt.Sprintf("fixed key %s: type %s (was %s)", name, w.Type, g.Type))
		default:
			var what []string
			if w.DocValue && !g.DocValue {
				g.DocValue = true
				what = append(what, "analytics on")
			}
			if add := missing(g.Token, w.Token); len(add) > 0 {
				g.Token = append(slices.Clone(g.Token), add...)
				what = append(what, fmt.Sprintf("%d tokens added", len(add)))
			}
			if len(what) > 0 {
				p.Index.Keys[name] = g
				p.Changed = append(p.Changed, fmt.Sprintf("fixed key %s: %s", name, strings.Join(what, ", ")))
			}
		}
	}
	for _, name := range sortedKeys(got.Keys) {
		if _, ours := want.Keys[name]; !ours {
			p.Kept = append(p.Kept, "key "+name)
		}
	}
	switch {
	case want.Line == nil:
	case got.Line == nil:
		line := *want.Line
		p.Index.Line = &line
		p.Changed = append(p.Changed, "added the full-text index")
	default:
		line := *got.Line
		if add := missing(line.Token, want.Line.Token); len(add) > 0 {
			line.Token = append(slices.Clone(line.Token), add...)
			p.Changed = append(p.Changed, fmt.Sprintf("fixed the full-text index: %d tokens added", len(add)))
		}
		p.Index.Line = &line
	}
	if want.MaxTextLen > got.MaxTextLen {
		p.Index.MaxTextLen = want.MaxTextLen
		p.Changed = append(p.Changed, fmt.Sprintf("max_text_len %d (was %d)", want.MaxTextLen, got.MaxTextLen))
	} else if got.MaxTextLen > want.MaxTextLen {
		p.Kept = append(p.Kept, fmt.Sprintf("max_text_len %d", got.MaxTextLen))
	}
	if got.Line != nil && len(got.Line.IncludeKeys)+len(got.Line.ExcludeKeys) > 0 {
		p.Kept = append(p.Kept, "the full-text index's include/exclude keys")
	}
	if got.Ttl > 0 {
		p.Kept = append(p.Kept, fmt.Sprintf("ttl %d", got.Ttl))
	}
	if got.LogReduce {
		p.Kept = append(p.Kept, "log_reduce")
	}
	if got.ScanIndex {
		p.Kept = append(p.Kept, "scan_index")
	}
	return p
}

// missing is what of want has is not in (in want's order).
func missing(has, want []string) []string {
	var out []string
	for _, t := range want {
		if !slices.Contains(has, t) && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func sortedKeys(m map[string]sls.IndexKey) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
