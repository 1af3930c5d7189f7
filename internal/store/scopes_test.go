package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// TestEveryPolicyScopeHasPredicate: every scope that policies/policy.csv grants on an object
// the store holds has its SQL predicate; without one the scope would silently reach nothing.
// Objects without any predicates yet (case content, statistics, audit) get theirs with their
// store code, and this test then covers them too.
func TestEveryPolicyScopeHasPredicate(t *testing.T) {
	en, err := authz.New(context.Background(), func(context.Context) (authz.Snapshot, error) { return authz.Snapshot{}, nil })
	if err != nil {
		t.Fatal(err)
	}
	checked := map[string]bool{}
	for _, r := range en.Rules() {
		obj, kind := r[2], model.ScopeKind(r[4])
		if _, stored := predicates[obj]; !stored {
			continue
		}
		checked[obj] = true
		if !HasPredicate(obj, kind) {
			t.Errorf("no predicate for scope %s on %s, which `p, %s` grants", kind, obj, strings.Join(r, ", "))
		}
	}
	for _, obj := range []string{"organisation", "member"} {
		if !checked[obj] {
			t.Errorf("the policy has no line on %s, or the store no predicates for it", obj)
		}
	}
	for obj, preds := range predicates {
		for k := range preds {
			if !k.Valid() {
				t.Errorf("predicate for %s uses scope %q outside the vocabulary", obj, k)
			}
		}
	}
}

// scopeWorld is a small tree on real Postgres:
//
//	root ─┬─ child ── grandchild
//	      └─ sibling
//	other (a second tree)
//
// with members: actor and colleague in child, gc in grandchild, sib in sibling, boss in
// root, multi in grandchild and other, and nobody without any grant.
type scopeWorld struct {
	st                                    *Store
	root, child, grandchild, sibling, oth uuid.UUID
	actor, colleague, gc, sib, boss       uuid.UUID
	multi, nobody                         uuid.UUID
}

func newScopeWorld(t *testing.T) *scopeWorld {
	t.Helper()
	ctx := context.Background()
	w := &scopeWorld{st: New(testutil.NewDB(t).Gorm, nil)}
	err := w.st.Tx(ctx, model.Actor{System: true}, func(tx *Tx) error {
		org := func(id *uuid.UUID, name string, parent *uuid.UUID) error {
			o := model.Organisation{ParentID: parent, Kind: model.OrgMunicipal, Name: name, ShortName: name, Active: true}
			err := tx.Organisations().Create(ctx, &o)
			*id = o.ID
			return err
		}
		errs := []error{
			org(&w.root, "root", nil),
			org(&w.child, "child", &w.root),
			org(&w.grandchild, "grandchild", &w.child),
			org(&w.sibling, "sibling", &w.root),
			org(&w.oth, "other", nil),
		}
		user := func(id *uuid.UUID, name string, orgs ...uuid.UUID) error {
			u := model.User{Issuer: "t", Email: name + "@example.org", DisplayName: name, Active: true}
			if err := tx.Users().Create(ctx, &u); err != nil {
				return err
			}
			*id = u.ID
			for _, o := range orgs {
				if err := tx.Grants().Create(ctx, &model.Grant{UserID: u.ID, OrgID: o, Role: model.RoleCaseworker}); err != nil {
					return err
				}
			}
			return nil
		}
		errs = append(errs,
			user(&w.actor, "actor", w.child),
			user(&w.colleague, "colleague", w.child),
			user(&w.gc, "gc", w.grandchild),
			user(&w.sib, "sib", w.sibling),
			user(&w.boss, "boss", w.root),
			user(&w.multi, "multi", w.grandchild, w.oth),
			user(&w.nobody, "nobody"),
		)
		// A second role in the same organisation must not duplicate a member.
		errs = append(errs, tx.Grants().Create(ctx, &model.Grant{UserID: w.actor, OrgID: w.child, Role: model.RoleLead}))
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestScopePredicates: for each scope, List returns exactly the expected records and Get
// finds exactly those, and ErrNotFound for every other.
func TestScopePredicates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newScopeWorld(t)
	allOrgs := []uuid.UUID{w.root, w.child, w.grandchild, w.sibling, w.oth}
	allUsers := []uuid.UUID{w.actor, w.colleague, w.gc, w.sib, w.boss, w.multi, w.nobody}

	// The tree the enforcer computes from the stored organisations, as Scope fills it.
	orgs, grants, err := w.st.PolicySnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	en, err := authz.New(ctx, func(context.Context) (authz.Snapshot, error) { return authz.Snapshot{Orgs: orgs, Grants: grants}, nil })
	if err != nil {
		t.Fatal(err)
	}
	tree := en.Subtree(w.child)
	if !sameSet(tree, []uuid.UUID{w.child, w.grandchild}) {
		t.Fatalf("subtree of child = %v", tree)
	}
	scope := func(obj string, kinds ...model.ScopeKind) model.Scope {
		return model.Scope{Object: obj, Action: "read", Kinds: kinds, UserID: w.actor, OrgID: w.child, OrgTree: tree}
	}

	tests := []struct {
		name string
		sc   model.Scope
		want []uuid.UUID
	}{
		{"organisation all", scope("organisation", model.ScopeAll), allOrgs},
		{"organisation org_tree", scope("organisation", model.ScopeOrgTree), []uuid.UUID{w.child, w.grandchild}},
		{"organisation org", scope("organisation", model.ScopeOrg), []uuid.UUID{w.child}},
		{"organisation self has no predicate", scope("organisation", model.ScopeSelf), nil},
		{"organisation denied", scope("organisation"), nil},
		{"organisation org and org_tree", scope("organisation", model.ScopeOrgTree, model.ScopeOrg), []uuid.UUID{w.child, w.grandchild}},
		{"member all", scope("member", model.ScopeAll), allUsers},
		{"member org_tree", scope("member", model.ScopeOrgTree), []uuid.UUID{w.actor, w.colleague, w.gc, w.multi}},
		{"member org", scope("member", model.ScopeOrg), []uuid.UUID{w.actor, w.colleague}},
		{"member self", scope("member", model.ScopeSelf), []uuid.UUID{w.actor}},
		{"member referred has no predicate", scope("member", model.ScopeReferred), nil},
		{"member denied", scope("member"), nil},
		{"member org or self, acting elsewhere", model.Scope{Object: "member", Kinds: []model.ScopeKind{model.ScopeOrg, model.ScopeSelf}, UserID: w.nobody, OrgID: w.sibling}, []uuid.UUID{w.sib, w.nobody}},
		{"unknown object", scope("case", model.ScopeAll), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := w.st.Read(ctx, model.Actor{UserID: tt.sc.UserID, OrgID: tt.sc.OrgID}, func(tx *Tx) error {
				var listed []uuid.UUID
				var candidates []uuid.UUID
				var get func(id uuid.UUID) error
				if tt.sc.Object == "member" {
					us, err := tx.Users().List(ctx, tt.sc, MemberFilter{})
					if err != nil {
						return err
					}
					for _, u := range us {
						listed = append(listed, u.ID)
					}
					candidates = allUsers
					get = func(id uuid.UUID) error { _, err := tx.Users().Get(ctx, tt.sc, id); return err }
				} else {
					orgs, err := tx.Organisations().List(ctx, tt.sc)
					if err != nil {
						return err
					}
					for _, o := range orgs {
						listed = append(listed, o.ID)
					}
					candidates = allOrgs
					get = func(id uuid.UUID) error { _, err := tx.Organisations().Get(ctx, tt.sc, id); return err }
				}
				if len(listed) != len(tt.want) || !sameSet(listed, tt.want) {
					t.Errorf("List = %v, want %v", w.names(listed), w.names(tt.want))
				}
				for _, id := range candidates {
					err := get(id)
					switch {
					case slices.Contains(tt.want, id) && err != nil:
						t.Errorf("Get %s: %v, want found", w.names([]uuid.UUID{id}), err)
					case !slices.Contains(tt.want, id) && !errors.Is(err, model.ErrNotFound):
						t.Errorf("Get %s: %v, want ErrNotFound", w.names([]uuid.UUID{id}), err)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}

	t.Run("member filter narrows, never widens", func(t *testing.T) {
		err := w.st.Read(ctx, model.Actor{UserID: w.actor, OrgID: w.child}, func(tx *Tx) error {
			us, err := tx.Users().List(ctx, scope("member", model.ScopeOrgTree), MemberFilter{OrgID: &w.sibling})
			if err != nil || len(us) != 0 {
				t.Errorf("filter on an organisation outside the scope: %d users, %v", len(us), err)
			}
			us, err = tx.Users().List(ctx, scope("member", model.ScopeOrgTree), MemberFilter{OrgID: &w.grandchild})
			var ids []uuid.UUID
			for _, u := range us {
				ids = append(ids, u.ID)
			}
			if err != nil || !sameSet(ids, []uuid.UUID{w.gc, w.multi}) {
				t.Errorf("filter on the grandchild: %v, %v", w.names(ids), err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func sameSet(a, b []uuid.UUID) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func (w *scopeWorld) names(ids []uuid.UUID) []string {
	n := map[uuid.UUID]string{
		w.root: "root", w.child: "child", w.grandchild: "grandchild", w.sibling: "sibling", w.oth: "other",
		w.actor: "actor", w.colleague: "colleague", w.gc: "gc", w.sib: "sib", w.boss: "boss", w.multi: "multi", w.nobody: "nobody",
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = n[id]
	}
	return out
}
