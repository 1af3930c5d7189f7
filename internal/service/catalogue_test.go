package service

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
)

// TestCatalogueAnswersAsTheStore: the areas and organisations a read labels with come from
// the enforcer's catalogue when its loader read one, and are then exactly what the store
// would have read (same rows, same order); a scope narrower than "all" is never answered from
// the catalogue, which holds every organisation, but by the store's predicate.
func TestCatalogueAnswersAsTheStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(testutil.Open(t, testutil.NewDBURL(t)).Gorm, nil)
	sys := model.Actor{System: true}
	var orgs []model.Organisation
	for _, o := range []model.Organisation{
		{Kind: model.OrgMunicipal, Name: "Amt für Wohnen", ShortName: "wohnen", Active: true},
		{Kind: model.OrgWelfare, Name: "Diakonie Migrationsdienst", ShortName: "diakonie", Active: true},
		{Kind: model.OrgWelfare, Name: "AWO Beratung (aufgelöst)", ShortName: "awo", Active: false},
	} {
		if err := st.Tx(ctx, sys, func(tx *store.Tx) error { return tx.Organisations().Create(ctx, &o) }); err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, o)
	}
	en, err := authz.New(ctx, func(ctx context.Context) (authz.Snapshot, error) {
		cat, err := st.Catalogue(ctx)
		return authz.Snapshot{Catalogue: cat}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	withCat, fromDB := base{store: st, authz: en}, base{store: st}
	if withCat.catalogue() == nil || fromDB.catalogue() != nil {
		t.Fatal("catalogue: want one with the loader's, none without an enforcer")
	}
	all := model.Scope{Object: "organisation", Action: "read", Kinds: []model.ScopeKind{model.ScopeAll}}
	one := model.Scope{Object: "organisation", Action: "read", Kinds: []model.ScopeKind{model.ScopeOrg}, OrgID: orgs[1].ID}
	ids := func(os []model.Organisation) []uuid.UUID {
		out := make([]uuid.UUID, len(os))
		for i, o := range os {
			out[i] = o.ID
		}
		return out
	}
	if err := st.One(ctx, sys, func(tx *store.Tx) error {
		for _, b := range []base{withCat, fromDB} {
			areas, err := b.areas(ctx, tx)
			if err != nil {
				return err
			}
			want, err := tx.Areas().Active(ctx)
			if err != nil {
				return err
			}
			if !slices.Equal(areas, want) || len(areas) == 0 {
				t.Errorf("areas: %v, want %v", areas, want)
			}
			every, err := b.organisations(ctx, tx)
			if err != nil {
				return err
			}
			if got, want := ids(every), []uuid.UUID{orgs[2].ID, orgs[0].ID, orgs[1].ID}; !slices.Equal(got, want) {
				t.Errorf("every organisation by name, inactive too: %v, want %v", got, want)
			}
			for _, sc := range []model.Scope{all, one} {
				got, err := b.visibleOrganisations(ctx, tx, sc)
				if err != nil {
					return err
				}
				want, err := tx.Organisations().List(ctx, sc)
				if err != nil {
					return err
				}
				if !slices.Equal(ids(got), ids(want)) {
					t.Errorf("scope %v: %v, want %v", sc.Kinds, ids(got), ids(want))
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
