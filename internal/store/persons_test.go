package store_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestNamesForCasesReadOnlyNames: the persons read for the labels of a list are the persons
// of ForCases, in its order, with their names and nothing else: no contact, no birth date, no
// search text. Reading the whole person for every label was a tenth of the server's CPU
// under load, and a list never shows more than the name.
func TestNamesForCasesReadOnlyNames(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := world.New(t)
	one, two := w.Case(t, w.HousingWorker), w.Case(t, w.NorthWorker)
	ids := []uuid.UUID{one.ID, two.ID, uuid.New()}
	var full, names map[uuid.UUID][]model.Person
	err := w.Store.Read(ctx, model.Actor{System: true, Name: "test"}, func(tx *store.Tx) error {
		var err error
		if full, err = tx.Persons().ForCases(ctx, ids); err != nil {
			return err
		}
		names, err = tx.Persons().NamesForCases(ctx, ids)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 2 || len(full) != 2 {
		t.Fatalf("persons of %d and %d cases, want 2", len(names), len(full))
	}
	for id, ps := range full {
		got := names[id]
		if len(got) != len(ps) || len(ps) == 0 {
			t.Fatalf("case %s: %d persons with names, %d in all", id, len(got), len(ps))
		}
		for i, p := range ps {
			if p.Phone == "" || p.SearchText == "" || p.BirthDate == nil {
				t.Fatalf("the world's person has no phone, search text or birth date: %+v", p)
			}
			want := model.Person{ID: p.ID, CaseID: p.CaseID, IsPrimary: p.IsPrimary, FamilyName: p.FamilyName, GivenNames: p.GivenNames, CreatedAt: p.CreatedAt}
			g := got[i]
			if g.ID != want.ID || g.CaseID != want.CaseID || g.IsPrimary != want.IsPrimary || g.FamilyName != want.FamilyName ||
				g.GivenNames != want.GivenNames || !g.CreatedAt.Equal(want.CreatedAt) {
				t.Errorf("case %s, person %d: %+v, want the names of %+v", id, i, g, p)
			}
			if g.Phone != "" || g.Email != "" || g.Address != "" || g.SearchText != "" || g.BirthDate != nil || g.ArrivalDate != nil ||
				len(g.NameVariants) != 0 || len(g.Languages) != 0 || g.ResidenceStatus != "" || g.District != "" {
				t.Errorf("case %s, person %d: read more than the names: %+v", id, i, g)
			}
		}
	}
}
