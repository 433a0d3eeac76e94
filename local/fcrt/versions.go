package fcrt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Errors of the version and alias operations; the control API maps them
// onto FC's codes.
var (
	ErrVersionNotFound = errors.New("fcrt: version not found")
	ErrAliasNotFound   = errors.New("fcrt: alias not found")
	ErrAliasExists     = errors.New("fcrt: alias already exists")
	ErrInvalidAlias    = errors.New("fcrt: invalid alias")
)

// Version is a published version: a frozen copy of the code and the
// configuration the function had when it was published.
type Version struct {
	ID          string
	Description string
	Created     time.Time
	fn          Function
}

// Alias points at a version, and optionally sends a share of the
// invocations to one additional version (a canary).
type Alias struct {
	Name        string
	VersionID   string
	Description string
	// Weights is additionalVersionWeight: version id -> share in [0, 1].
	Weights  map[string]float64
	Created  time.Time
	Modified time.Time
}

// Versioned is one function with FC 3.0's versions and aliases: LATEST
// (the current code and configuration, which UpdateFunction changes),
// published versions, and aliases with a weighted additional version.
// Each version runs its own instances (a Pool), as on FC: an instance
// serves exactly one version.
type Versioned struct {
	newPool func(Function) *Pool

	mu       sync.Mutex
	latest   Function
	versions []*Version
	aliases  map[string]*Alias
	pools    map[string]*Pool // by version id, and LATEST
	closed   bool
	borrowed *Pool // LATEST's pool when the caller owns it (UseLatestPool)
	random   func() float64
	now      func() time.Time
}

// NewVersioned returns fn (its LATEST) with no versions and no aliases;
// newPool makes the scheduler of each version (the stack's instance limit
// and idle timeout).
func NewVersioned(fn Function, newPool func(Function) *Pool) *Versioned {
	return &Versioned{newPool: newPool, latest: fn, aliases: map[string]*Alias{},
		pools: map[string]*Pool{}, random: rand.Float64, now: time.Now}
}

// Name is the function's name.
func (v *Versioned) Name() string { return v.latest.Name }

// Latest is the function's current (unpublished) code and configuration.
func (v *Versioned) Latest() Function {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.latest
}

// UpdateEnv replaces LATEST's environment variables, as UpdateFunction
// with environmentVariables does; published versions keep theirs.
func (v *Versioned) UpdateEnv(env map[string]string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.latest.Env = maps.Clone(env)
}

// Publish freezes LATEST as the next version (ids count from 1). The
// binary is copied, so a later build of LATEST cannot change it.
func (v *Versioned) Publish(description string) (Version, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	id := strconv.Itoa(len(v.versions) + 1)
	fn := v.latest
	fn.Env = maps.Clone(v.latest.Env)
	frozen := fmt.Sprintf("%s.v%s", v.latest.Binary, id)
	if err := copyExecutable(v.latest.Binary, frozen); err != nil {
		return Version{}, fmt.Errorf("fcrt: publish %s: %w", v.latest.Name, err)
	}
	fn.Binary, fn.VersionID = frozen, id
	ver := &Version{ID: id, Description: description, Created: v.now().UTC(), fn: fn}
	v.versions = append(v.versions, ver)
	return *ver, nil
}

// Versions lists the published versions, oldest first.
func (v *Versioned) Versions() []Version {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]Version, len(v.versions))
	for i, ver := range v.versions {
		out[i] = *ver
	}
	return out
}

// CreateAlias adds an alias.
func (v *Versioned) CreateAlias(a Alias) (Alias, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.aliases[a.Name]; ok {
		return Alias{}, fmt.Errorf("%w: %s", ErrAliasExists, a.Name)
	}
	if err := v.checkAliasLocked(a); err != nil {
		return Alias{}, err
	}
	a.Created = v.now().UTC()
	a.Modified = a.Created
	a.Weights = maps.Clone(a.Weights)
	v.aliases[a.Name] = &a
	return copyAlias(&a), nil
}

// AliasUpdate is UpdateAlias's input; a nil field leaves the alias's
// value as it is.
type AliasUpdate struct {
	VersionID   *string
	Description *string
	Weights     map[string]float64 // nil: unchanged; empty: cleared
}

// UpdateAlias changes an alias. Leaving additionalVersionWeight out keeps
// the current weight (whether FC clears it then is unverified: callers
// send {} to clear it).
func (v *Versioned) UpdateAlias(name string, u AliasUpdate) (Alias, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	cur, ok := v.aliases[name]
	if !ok {
		return Alias{}, fmt.Errorf("%w: %s", ErrAliasNotFound, name)
	}
	next := *cur
	if u.VersionID != nil {
		next.VersionID = *u.VersionID
	}
	if u.Description != nil {
		next.Description = *u.Description
	}
	if u.Weights != nil {
		next.Weights = maps.Clone(u.Weights)
	}
	if err := v.checkAliasLocked(next); err != nil {
		return Alias{}, err
	}
	next.Modified = v.now().UTC()
	*cur = next
	return copyAlias(cur), nil
}

// GetAlias answers an alias.
func (v *Versioned) GetAlias(name string) (Alias, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	a, ok := v.aliases[name]
	if !ok {
		return Alias{}, fmt.Errorf("%w: %s", ErrAliasNotFound, name)
	}
	return copyAlias(a), nil
}

// checkAliasLocked refuses an alias FC refuses: a missing version, a
// weight outside [0, 1], more than one additional version, or the main
// version as its own additional one.
func (v *Versioned) checkAliasLocked(a Alias) error {
	if a.Name == "" {
		return fmt.Errorf("%w: aliasName is required", ErrInvalidAlias)
	}
	if _, ok := v.versionLocked(a.VersionID); !ok {
		return fmt.Errorf("%w: %q", ErrVersionNotFound, a.VersionID)
	}
	if len(a.Weights) > 1 {
		return fmt.Errorf("%w: additionalVersionWeight takes one version", ErrInvalidAlias)
	}
	for id, w := range a.Weights {
		if _, ok := v.versionLocked(id); !ok {
			return fmt.Errorf("%w: %q (additionalVersionWeight)", ErrVersionNotFound, id)
		}
		if id == a.VersionID {
			return fmt.Errorf("%w: the additional version is the alias's own version %s", ErrInvalidAlias, id)
		}
		if w < 0 || w > 1 || w != w {
			return fmt.Errorf("%w: weight %v of version %s is not within [0, 1]", ErrInvalidAlias, w, id)
		}
	}
	return nil
}

func (v *Versioned) versionLocked(id string) (*Version, bool) {
	for _, ver := range v.versions {
		if ver.ID == id {
			return ver, true
		}
	}
	return nil, false
}

func copyAlias(a *Alias) Alias {
	out := *a
	out.Weights = maps.Clone(a.Weights)
	return out
}

// Qualified is the invoker a trigger with this qualifier uses: "LATEST"
// (or ""), a version id, or an alias name. An alias is resolved on every
// invocation, so UpdateAlias takes effect for the next request.
func (v *Versioned) Qualified(qualifier string) Invoker {
	if qualifier == "" {
		qualifier = DefaultQualifier
	}
	return qualifiedInvoker{v: v, qualifier: qualifier}
}

type qualifiedInvoker struct {
	v         *Versioned
	qualifier string
}

func (q qualifiedInvoker) Invoke(ctx context.Context, payload []byte, opts InvokeOptions) (Result, error) {
	pool, err := q.v.route(q.qualifier)
	if err != nil {
		return Result{}, err
	}
	opts.Qualifier = q.qualifier
	return pool.Invoke(ctx, payload, opts)
}

// route picks the pool of one invocation: an alias sends the share
// additionalVersionWeight gives to its additional version there, the rest
// to its main version.
func (v *Versioned) route(qualifier string) (*Pool, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return nil, ErrInstanceClosed
	}
	id := qualifier
	if a, ok := v.aliases[qualifier]; ok {
		id = a.VersionID
		// One additional version at most (checkAliasLocked).
		for extra, w := range a.Weights {
			if w > 0 && v.random() < w {
				id = extra
			}
		}
	}
	return v.poolLocked(id)
}

// poolLocked returns the running pool of a version, starting none of its
// instances yet (the first invocation does).
func (v *Versioned) poolLocked(id string) (*Pool, error) {
	if p, ok := v.pools[id]; ok {
		return p, nil
	}
	var fn Function
	if id == DefaultQualifier {
		fn = v.latest
	} else {
		ver, ok := v.versionLocked(id)
		if !ok {
			return nil, fmt.Errorf("%w: qualifier %q", ErrVersionNotFound, id)
		}
		fn = ver.fn
	}
	p := v.newPool(fn)
	v.pools[id] = p
	return p, nil
}

// Pools lists the running pools by version id ("LATEST" included).
func (v *Versioned) Pools() map[string]*Pool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return maps.Clone(v.pools)
}

// Stop stops every version's instances and refuses new invocations. A
// pool given with UseLatestPool is left to its owner.
func (v *Versioned) Stop(ctx context.Context) error {
	v.mu.Lock()
	v.closed = true
	pools := slices.Collect(maps.Values(v.pools))
	borrowed := v.borrowed
	v.mu.Unlock()
	var errs []error
	for _, p := range pools {
		if p != borrowed {
			errs = append(errs, p.Stop(ctx))
		}
	}
	return errors.Join(errs...)
}

// copyExecutable copies the binary src to dst (mode 0755).
func copyExecutable(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// UseLatestPool makes p the pool that runs LATEST (the stack's send pool,
// which its other parts already hold).
func (v *Versioned) UseLatestPool(p *Pool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.pools[DefaultQualifier] = p
	v.borrowed = p
}
