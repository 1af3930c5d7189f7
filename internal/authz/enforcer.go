package authz

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2"
	casbinmodel "github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/policies"
)

// Snapshot is the data the policy depends on: the active organisations and the grants of
// active users in active organisations.
type Snapshot struct {
	Orgs   []model.Organisation
	Grants []model.Grant
	// Catalogue is the configuration the pages label with (areas, every organisation), not
	// policy: it changes as rarely, is announced on the same channel, and so travels with the
	// grants. A loader that leaves it nil leaves the services reading it from the database.
	Catalogue *model.Catalogue
}

// Loader reads a fresh Snapshot from the database.
type Loader func(ctx context.Context) (Snapshot, error)

// Enforcer answers permission questions. It is safe for concurrent use; Reload swaps in new
// grants atomically and invalidates the decision cache.
type Enforcer struct {
	load   Loader
	log    *slog.Logger
	duties Duties
	reload sync.Mutex // serialises reloads; the adapter reads pending during LoadPolicy

	e       *casbin.SyncedCachedEnforcer
	pending Snapshot

	// gate keeps decisions in flight out of the cache invalidation: Scope holds it for
	// reading, apply for writing while it clears the cache, so that a decision computed on the
	// old policy cannot be cached after the clear and outlive a revoked grant.
	gate sync.RWMutex

	mu       sync.RWMutex
	orgs     map[uuid.UUID]model.Organisation
	children map[uuid.UUID][]uuid.UUID
	roles    map[uuid.UUID]map[uuid.UUID][]model.Role // user -> org -> roles
	rules    [][]string                               // the p-lines of policy.csv
	withheld []model.RoleConflict                     // grants not counted: separation of duties
	catalog  *model.Catalogue                         // nil when the loader did not read it
}

// Option configures an Enforcer.
type Option func(*Enforcer)

// WithLogger names the logger for warnings (grants withheld for the separation of duties);
// the default is slog.Default().
func WithLogger(l *slog.Logger) Option { return func(en *Enforcer) { en.log = l } }

// New builds an enforcer over the embedded policy and loads the grants once.
func New(ctx context.Context, load Loader, opts ...Option) (*Enforcer, error) {
	return NewWithPolicy(ctx, policies.Model, policies.Policy, load, opts...)
}

// NewWithPolicy is New with an explicit model and policy text, for policy tests.
func NewWithPolicy(ctx context.Context, modelText, policyText string, load Loader, opts ...Option) (*Enforcer, error) {
	m, err := casbinmodel.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("authz: model: %w", err)
	}
	rules, err := parsePolicy(policyText)
	if err != nil {
		return nil, err
	}
	en := &Enforcer{load: load, rules: rules, duties: DeriveDuties(rules), log: slog.Default()}
	for _, o := range opts {
		o(en)
	}
	ce, err := casbin.NewSyncedCachedEnforcer(m, &adapter{en: en})
	if err != nil {
		return nil, fmt.Errorf("authz: enforcer: %w", err)
	}
	en.e = ce
	if err := en.Reload(ctx); err != nil {
		return nil, err
	}
	return en, nil
}

// parsePolicy reads and checks the p-lines: known roles, classes and scopes only, no
// duplicates, so that a typo cannot silently grant or deny.
func parsePolicy(text string) ([][]string, error) {
	var rules [][]string
	seen := map[string]int{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		for j := range f {
			f[j] = strings.TrimSpace(f[j])
		}
		if len(f) != 6 || f[0] != "p" {
			return nil, fmt.Errorf("authz: policy.csv line %d: want `p, role, class, object, action, scope`", i+1)
		}
		if !model.Role(f[1]).Valid() {
			return nil, fmt.Errorf("authz: policy.csv line %d: unknown role %q", i+1, f[1])
		}
		if f[2] != "*" && f[2] != string(model.ClassMunicipal) && f[2] != string(model.ClassPartner) {
			return nil, fmt.Errorf("authz: policy.csv line %d: unknown organisation class %q", i+1, f[2])
		}
		if !model.ScopeKind(f[5]).Valid() {
			return nil, fmt.Errorf("authz: policy.csv line %d: unknown scope %q", i+1, f[5])
		}
		key := strings.Join(f[1:], ",")
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("authz: policy.csv line %d repeats line %d", i+1, prev)
		}
		seen[key] = i + 1
		rules = append(rules, f[1:])
	}
	if len(rules) == 0 {
		return nil, errors.New("authz: policy.csv grants nothing")
	}
	return rules, nil
}

// Rules returns the policy lines (role, class, object, action, scope).
func (en *Enforcer) Rules() [][]string { return slices.Clone(en.rules) }

// Duties returns the separation of duties derived from the policy.
func (en *Enforcer) Duties() Duties { return en.duties }

// Withheld lists the grants of the current snapshot that do not count because they breach
// the separation of duties (stored before it was enforced): the case-content side of each
// conflicting pair.
func (en *Enforcer) Withheld() []model.RoleConflict {
	en.mu.RLock()
	defer en.mu.RUnlock()
	return slices.Clone(en.withheld)
}

// Reload reads the grants again and replaces the policy and the decision cache.
func (en *Enforcer) Reload(ctx context.Context) error {
	snap, err := en.load(ctx)
	if err != nil {
		return fmt.Errorf("authz: load grants: %w", err)
	}
	return en.apply(snap)
}

func (en *Enforcer) apply(snap Snapshot) error {
	en.reload.Lock()
	defer en.reload.Unlock()
	// A combination that breaches the separation of duties (stored before the rule was
	// enforced, or written past the service) must not give case content: its case-content
	// grants do not count, and every reload says so in the log until an operator cleans up
	// (`lotse policy conflicts`).
	allows := map[uuid.UUID]bool{}
	for _, o := range snap.Orgs {
		allows[o.ID] = o.AllowsAdminCasework()
	}
	var withheld []model.RoleConflict
	snap.Grants, withheld = en.duties.Withhold(snap.Grants, func(org uuid.UUID) bool { return allows[org] })
	for _, c := range withheld {
		en.log.Warn("authz: grant withheld: it breaches the separation of duties; run `lotse policy conflicts`",
			slog.String("user_id", c.UserID.String()), slog.String("role", string(c.Role)), slog.String("org_id", c.OrgID.String()),
			slog.String("conflicts_with", string(c.With)), slog.String("conflicts_with_org_id", c.WithOrgID.String()))
	}
	en.pending = snap
	if err := en.e.LoadPolicy(); err != nil {
		return fmt.Errorf("authz: load policy: %w", err)
	}
	// A decision computed on the old policy while LoadPolicy ran may have been cached after
	// LoadPolicy cleared the cache: wait for the decisions in flight and clear it once more.
	en.gate.Lock()
	defer en.gate.Unlock()
	if err := en.e.InvalidateCache(); err != nil {
		return fmt.Errorf("authz: invalidate cache: %w", err)
	}
	orgs := make(map[uuid.UUID]model.Organisation, len(snap.Orgs))
	children := map[uuid.UUID][]uuid.UUID{}
	for _, o := range snap.Orgs {
		orgs[o.ID] = o
		if o.ParentID != nil {
			children[*o.ParentID] = append(children[*o.ParentID], o.ID)
		}
	}
	roles := map[uuid.UUID]map[uuid.UUID][]model.Role{}
	for _, g := range snap.Grants {
		if roles[g.UserID] == nil {
			roles[g.UserID] = map[uuid.UUID][]model.Role{}
		}
		roles[g.UserID][g.OrgID] = append(roles[g.UserID][g.OrgID], g.Role)
	}
	en.mu.Lock()
	en.orgs, en.children, en.roles, en.withheld, en.catalog = orgs, children, roles, withheld, snap.Catalogue
	en.mu.Unlock()
	return nil
}

// adapter feeds Casbin the policy lines and the pending snapshot's grants and org classes.
type adapter struct{ en *Enforcer }

func (a *adapter) LoadPolicy(m casbinmodel.Model) error {
	for _, r := range a.en.rules {
		if err := persist.LoadPolicyArray(append([]string{"p"}, r...), m); err != nil {
			return err
		}
	}
	for _, o := range a.en.pending.Orgs {
		if err := persist.LoadPolicyArray([]string{"g2", o.ID.String(), string(o.Kind.Class())}, m); err != nil {
			return err
		}
	}
	for _, g := range a.en.pending.Grants {
		if err := persist.LoadPolicyArray([]string{"g", g.UserID.String(), string(g.Role), g.OrgID.String()}, m); err != nil {
			return err
		}
	}
	return nil
}

var errReadOnly = errors.New("authz: grants are changed through the service layer, not through Casbin")

func (a *adapter) SavePolicy(casbinmodel.Model) error                        { return errReadOnly }
func (a *adapter) AddPolicy(string, string, []string) error                  { return errReadOnly }
func (a *adapter) RemovePolicy(string, string, []string) error               { return errReadOnly }
func (a *adapter) RemoveFilteredPolicy(string, string, int, ...string) error { return errReadOnly }

// Scope answers which records of obj the user, acting in org, may reach for act: the union of
// every scope a policy line grants through the user's roles there. A zero Kinds means denied.
func (en *Enforcer) Scope(user, org uuid.UUID, obj, act string) (model.Scope, error) {
	sc := model.Scope{Object: obj, Action: act, UserID: user, OrgID: org}
	u, o := user.String(), org.String()
	en.gate.RLock()
	defer en.gate.RUnlock()
	for _, k := range model.ScopeKinds {
		ok, err := en.e.Enforce(u, o, obj, act, string(k))
		if err != nil {
			return model.Scope{}, fmt.Errorf("authz: enforce: %w", err)
		}
		if ok {
			sc.Kinds = append(sc.Kinds, k)
		}
	}
	if sc.Has(model.ScopeOrgTree) {
		sc.OrgTree = en.Subtree(org)
	}
	return sc, nil
}

// Allowed reports whether the user, acting in org, may do act on obj with any scope.
func (en *Enforcer) Allowed(user, org uuid.UUID, obj, act string) (bool, error) {
	sc, err := en.Scope(user, org, obj, act)
	return sc.Allowed(), err
}

// Subtree returns org and all active organisations below it, org first.
func (en *Enforcer) Subtree(org uuid.UUID) []uuid.UUID {
	en.mu.RLock()
	defer en.mu.RUnlock()
	out := []uuid.UUID{org}
	for i := 0; i < len(out); i++ {
		out = append(out, en.children[out[i]]...)
	}
	return out
}

// Roles returns the roles the user holds in org (empty when none or when org is inactive).
func (en *Enforcer) Roles(user, org uuid.UUID) []model.Role {
	en.mu.RLock()
	defer en.mu.RUnlock()
	return slices.Clone(en.roles[user][org])
}

// Membership is one organisation a user may act in, with the roles held there.
type Membership struct {
	Org   model.Organisation
	Roles []model.Role
}

// Memberships lists the organisations the user may act in, by name.
func (en *Enforcer) Memberships(user uuid.UUID) []Membership {
	en.mu.RLock()
	defer en.mu.RUnlock()
	var out []Membership
	for org, roles := range en.roles[user] {
		if o, ok := en.orgs[org]; ok {
			out = append(out, Membership{Org: o, Roles: slices.Clone(roles)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Org.Name < out[j].Org.Name })
	return out
}

// Catalogue returns the areas and organisations of the last snapshot (shared: read, never
// change), or nil when its loader did not read them.
func (en *Enforcer) Catalogue() *model.Catalogue {
	en.mu.RLock()
	defer en.mu.RUnlock()
	return en.catalog
}

// Org returns an active organisation from the snapshot.
func (en *Enforcer) Org(id uuid.UUID) (model.Organisation, bool) {
	en.mu.RLock()
	defer en.mu.RUnlock()
	o, ok := en.orgs[id]
	return o, ok
}

// Explanation is one scope the policy grants, with the policy line that grants it.
type Explanation struct {
	Scope model.ScopeKind
	Rule  []string // role, class, object, action, scope
}

// Explain lists every scope granted to the user acting in org for act on obj and the policy
// line behind each; empty means denied.
func (en *Enforcer) Explain(user, org uuid.UUID, obj, act string) ([]Explanation, error) {
	var out []Explanation
	for _, k := range model.ScopeKinds {
		ok, rule, err := en.e.EnforceEx(user.String(), org.String(), obj, act, string(k))
		if err != nil {
			return nil, fmt.Errorf("authz: enforce: %w", err)
		}
		if ok {
			out = append(out, Explanation{Scope: k, Rule: rule})
		}
	}
	return out, nil
}

// EnableCache switches the decision cache, for benchmarks of uncached decisions.
func (en *Enforcer) EnableCache(on bool) { en.e.EnableCache(on) }
