package authz_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/model"
)

// memLoader is a Loader over a snapshot the test changes, counting the loads.
type memLoader struct {
	mu    sync.Mutex
	snap  authz.Snapshot
	loads atomic.Int64
}

func (m *memLoader) load(context.Context) (authz.Snapshot, error) {
	m.loads.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	return authz.Snapshot{Orgs: slices.Clone(m.snap.Orgs), Grants: slices.Clone(m.snap.Grants)}, nil
}

func (m *memLoader) set(grants ...model.Grant) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.snap.Grants = grants
}

func municipal(name string) model.Organisation {
	return model.Organisation{ID: model.NewID(), Kind: model.OrgMunicipal, Name: name, ShortName: name, Active: true}
}

// TestReloadInvalidatesCache: a cached allow turns into a deny once the grant is gone and
// the enforcer reloaded, and back.
func TestReloadInvalidatesCache(t *testing.T) {
	ctx := context.Background()
	org := municipal("fd")
	user := model.NewID()
	grant := model.Grant{ID: model.NewID(), UserID: user, OrgID: org.ID, Role: model.RoleCaseworker}
	ml := &memLoader{snap: authz.Snapshot{Orgs: []model.Organisation{org}, Grants: []model.Grant{grant}}}
	en, err := authz.New(ctx, ml.load)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 { // the second and third answers come from the cache
		if ok, err := en.Allowed(user, org.ID, "case", "read"); err != nil || !ok {
			t.Fatalf("Allowed = %t, %v; want true", ok, err)
		}
	}
	ml.set() // the grant is deleted in the database
	if ok, _ := en.Allowed(user, org.ID, "case", "read"); !ok {
		t.Fatal("the decision changed before Reload")
	}
	if err := en.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, _ := en.Allowed(user, org.ID, "case", "read"); ok {
		t.Error("a cached allow survived the reload after the grant was deleted")
	}
	if got := en.Roles(user, org.ID); len(got) != 0 {
		t.Errorf("roles after the reload: %v", got)
	}
	ml.set(grant)
	if err := en.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, _ := en.Allowed(user, org.ID, "case", "read"); !ok {
		t.Error("a cached deny survived the reload after the grant was restored")
	}
}

// TestReloadUnderLoad: decisions run concurrently with reloads that flip a grant; once the
// last reload returned, no decision may be stale (a decision computed on the old policy must
// not end up in the cache after the reload cleared it).
func TestReloadUnderLoad(t *testing.T) {
	ctx := context.Background()
	org := municipal("fd")
	users := make([]uuid.UUID, 8)
	for i := range users {
		users[i] = model.NewID()
	}
	grants := func() []model.Grant {
		var gs []model.Grant
		for _, u := range users {
			gs = append(gs, model.Grant{ID: model.NewID(), UserID: u, OrgID: org.ID, Role: model.RoleCaseworker})
		}
		return gs
	}()
	ml := &memLoader{snap: authz.Snapshot{Orgs: []model.Organisation{org}}}
	en, err := authz.New(ctx, ml.load)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 200 {
		granted := round%2 == 0
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for _, u := range users {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := en.Allowed(u, org.ID, "case", "read"); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		if granted {
			ml.set(grants...)
		} else {
			ml.set()
		}
		if err := en.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		close(stop)
		wg.Wait()
		for _, u := range users {
			if ok, _ := en.Allowed(u, org.ID, "case", "read"); ok != granted {
				t.Fatalf("round %d: Allowed = %t after the reload, want %t (stale cache entry)", round, ok, granted)
			}
		}
	}
}

// TestMemberships: the organisations a user may act in, by name, with the roles there;
// inactive organisations are not in the snapshot and so not listed.
func TestMemberships(t *testing.T) {
	a, b := municipal("b-fd"), municipal("a-fd")
	user := model.NewID()
	ml := &memLoader{snap: authz.Snapshot{Orgs: []model.Organisation{a, b}, Grants: []model.Grant{
		{ID: model.NewID(), UserID: user, OrgID: a.ID, Role: model.RoleCoordinator},
		{ID: model.NewID(), UserID: user, OrgID: b.ID, Role: model.RoleOrgAdmin},
		{ID: model.NewID(), UserID: user, OrgID: b.ID, Role: model.RoleDPO},
		{ID: model.NewID(), UserID: user, OrgID: model.NewID(), Role: model.RoleSysadmin}, // org not in the snapshot
	}}}
	en, err := authz.New(context.Background(), ml.load)
	if err != nil {
		t.Fatal(err)
	}
	ms := en.Memberships(user)
	if len(ms) != 2 || ms[0].Org.ID != b.ID || ms[1].Org.ID != a.ID {
		t.Fatalf("memberships %+v", ms)
	}
	if !slices.Equal(ms[0].Roles, []model.Role{model.RoleOrgAdmin, model.RoleDPO}) {
		t.Errorf("roles in %s: %v", ms[0].Org.Name, ms[0].Roles)
	}
	ex, err := en.Explain(user, b.ID, "member", "create")
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 1 || ex[0].Scope != model.ScopeOrg || !slices.Equal(ex[0].Rule, []string{"org_admin", "*", "member", "create", "org"}) {
		t.Errorf("Explain = %+v", ex)
	}
	if ex, _ := en.Explain(user, a.ID, "member", "create"); len(ex) != 0 {
		t.Errorf("Explain for a coordinator = %+v, want nothing", ex)
	}
}
